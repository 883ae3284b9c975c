#!/bin/bash
set -e
# set -e: the failing append (510) stops the script
omero config set omero.web.apps '"omero_iviewer"'
omero config set omero.web.debug true
omero config append omero.web.apps '"omero_figure"'
omero config set omero.web.debug false
