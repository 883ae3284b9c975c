#!/bin/bash
# an empty app name breaks the settings import, and with it later appends
omero config append omero.web.apps '""'
omero config append omero.web.ui.top_links '["A", "a"]'
omero config set omero.web.apps '["omero_iviewer"]'
omero config append omero.web.ui.top_links '["B", "b"]'
