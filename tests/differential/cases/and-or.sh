#!/bin/bash
# && and || run a command depending on the status of the one before
omero config set omero.web.x.a 1 && omero config set omero.web.x.b 2
omero config remove omero.web.apps '"missing"' && omero config set omero.web.x.skipped 3
omero config remove omero.web.apps '"missing"' || omero config set omero.web.x.fallback 4
omero config set omero.web.x.ok 5 || omero config set omero.web.x.not_run 6
omero config append omero.web.x.a '"x"' || omero config set omero.web.x.c 7 && omero config set omero.web.x.d 8
omero config set omero.web.x.e 9 && false || omero config set omero.web.x.f 10
true && omero config set omero.web.x.g 11 || omero config set omero.web.x.h 12
false && omero config set omero.web.x.i 13
omero config set omero.web.prefix /a b || omero config set omero.web.x.after_usage 14
omero config remove omero.client.undefined '"x"' && omero config set omero.web.x.after_512 15
