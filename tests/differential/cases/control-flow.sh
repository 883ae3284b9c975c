#!/bin/bash
# if/while bodies run in order whatever the condition (neither side evaluates them)
if [ -n "$SOMETHING" ]; then
  omero config set omero.web.x.then 1
else
  omero config set omero.web.x.else 2
fi
for app in omero_iviewer; do
  omero config append omero.web.apps '"omero_iviewer"'
done
omero config set omero.web.x.end 3 ; omero config set omero.web.x.semi 4
