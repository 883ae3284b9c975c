#!/bin/bash
omero config set Ice.Default.Host omero.internal
omero config set omero.master.host omero-master.internal
omero config append omero.web.server_list '["backup.internal", 4064, "backup"]'
