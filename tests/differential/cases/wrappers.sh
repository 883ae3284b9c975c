#!/bin/bash
# the command word is any path ending in omero, behind sudo/env prefixes
VENV=/opt/omero/web/venv3
$VENV/bin/omero config set omero.web.x.venv 1
/usr/local/bin/omero config set omero.web.x.abs 2
sudo -u omero-web omero config set omero.web.x.sudo 3
env OMERODIR=/elsewhere omero config set omero.web.x.env 4
OMERO_X=1 omero config set omero.web.x.prefixed 5
omero-web config set omero.web.x.not_omero 6
echo omero config set omero.web.x.echo 7
omero web config nginx
omero config set omero.web.x.last 8 && omero config set omero.web.x.and 9 || omero config set omero.web.x.or 10
false || omero config set omero.web.x.after_false 11
