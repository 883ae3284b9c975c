#!/bin/bash
# append to an unset web key needs OMERO.web's settings to load
omero config set omero.web.page_size ten
omero config append omero.web.apps '"omero_iviewer"'
omero config append omero.web.allowed_hosts '"a"'
omero config set omero.web.page_size 10
omero config append omero.web.apps '"omero_iviewer"'
omero config append omero.other.list '"x"'
