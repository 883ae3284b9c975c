#!/bin/bash
# set -f FILE: the file's text with trailing whitespace stripped
omero config set -f data/value.txt omero.web.login_incorrect_credentials_text
omero config set --file data/value.txt omero.web.top_logo
omero config set -f data/missing.txt omero.web.x.missing
