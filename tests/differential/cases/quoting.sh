#!/bin/bash
HOST=omero.example.org
PORT=4064
omero config set omero.web.server_list "[[\"$HOST\", $PORT, \"omero\"]]"
omero config set omero.web.login_incorrect_credentials_text 'It'"'"'s wrong: "$HOME" \n'
omero config set omero.web.top_logo $'a\tb'
omero config set -- omero.web.x.neg -1
omero config set omero.web.prefix \
    /omero
omero config set omero.web.multi "line one
line two"
omero config set omero.web.unset_me value
omero config set omero.web.unset_me
omero config set omero.web.empty ''
