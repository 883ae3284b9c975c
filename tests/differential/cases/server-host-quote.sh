#!/bin/bash
# the default server_list embeds the server host unescaped: a quote breaks
# OMERO.web's settings, and with them every append to an unset omero.web key
omero config set Ice.Default.Host 'omero"host'
omero config append omero.web.apps '"omero_iviewer"'
omero config set omero.master.host omero.example.org
omero config append omero.web.apps '"omero_figure"'
