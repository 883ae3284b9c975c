#!/bin/bash
# expansions: defaults, field splitting of unquoted values, export, braces
HOST=omero.example.org
export PORT=4064
NAME="two words"
EMPTY=
omero config set omero.web.server_list "[[\"${HOST}\", ${PORT}, \"${NAME}\"]]"
omero config set omero.web.x.default "${MISSING_BUT_DEFAULTED:-fallback}"
omero config set omero.web.x.split $NAME
omero config set omero.web.x.quoted "$NAME"
omero config set omero.web.x.empty $EMPTY
omero config set omero.web.x.emptyq "$EMPTY"
omero config set omero.web.x.concat pre"$HOST"'post'$PORT
omero config set omero.web.x.dollar '$HOST' "\$HOST"
