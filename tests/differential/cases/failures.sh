#!/bin/bash
# each failing command changes nothing; the script goes on (no set -e)
omero config remove omero.web.apps '"missing"'
omero config remove omero.client.x '"y"'
omero config append omero.web.apps omero_iviewer
omero config set omero.web.middleware '{"index": 0}'
omero config append omero.web.middleware '{"index": 7, "class": "x.Y"}'
omero config set omero.web.bad_json '[1,'
omero config append omero.web.bad_json '2'
omero config set 'omero.web.bad key' x
omero config set omero.web.debug=true
omero config set omero.web.page_size=
omero config set omero.web.top_logo=x.png y.png
omero config append omero.web.debug 'true'
