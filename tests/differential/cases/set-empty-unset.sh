#!/bin/bash
# set K '' stores an empty string; set K (and set K --) deletes; deleting a missing key is fine
omero config set omero.web.prefix /omero
omero config set omero.web.prefix ''
omero config set omero.web.static_url /s/
omero config set omero.web.static_url
omero config set omero.web.never_set
omero config set omero.web.debug true
omero config set omero.web.debug --
omero config set -- omero.web.page_size --
omero config set omero.web.login_logo ""
omero config set omero.web.top_logo_link x
omero config set "omero.web.top_logo_link"
