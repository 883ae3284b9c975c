#!/bin/bash
# only [A-Za-z0-9._-] is a legal key for set (506); deleting does not check
omero config set omero.web.débug true
omero config set 'omero.web.x y' 1
omero config set omero.web.x/y 1
omero config set omero.web.x:y 1
omero config set OMERO.WEB.DEBUG true
omero config set -omero.web.x 1
omero config set omero.web.x_-.ok 1
omero config set 'omero.web.x y'
omero config append omero.web.ünïcode '"x"'
omero config set omero.web.x.value 'é ☃ 𝄞 ‮rtl‬ a​b'
