#!/bin/bash
set -e
# set -e: an argparse usage error (exit status 2) stops the script too
omero config set omero.web.debug true
omero config set omero.web.prefix /omero extra
omero config set omero.web.debug false
