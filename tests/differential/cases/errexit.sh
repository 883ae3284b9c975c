#!/bin/bash
# set -e: a failure nothing tests stops the script (the oracle stops there too)
set -eu
omero config set omero.web.debug true
omero config remove omero.web.apps '"omero_iviewer"' || true
if omero config append omero.web.apps 'not json'; then echo ok; fi
omero config append omero.web.apps '"omero_iviewer"'
omero config append omero.web.apps "'omero_figure'"
omero config set omero.web.prefix /never
