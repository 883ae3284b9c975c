#!/bin/bash
# OMERO.web set-up following the install walkthrough: a public user, whitenoise
# for static files, OMERO.iviewer and OMERO.figure, behind nginx under /omero.
# Several lines here carry mistakes that omeroconf reports.
set -e -u
export OMERODIR=/opt/omero/web/OMERO.web
VENV_WEB=/opt/omero/web/venv3
OMERO_HOST=omero.example.org

$VENV_WEB/bin/omero config set omero.web.server_list "[[\"$OMERO_HOST\", 4064, \"omero\"]]"
omero config set omero.web.prefix /omero
omero config set omero.web.static_url /omero/static/
omero config set omero.web.wsgi_workers 5
omero config set omero.web.debug yes

# serve static files with whitenoise, first in the middleware list
omero config append -- omero.web.middleware '{"index": 0, "class": "whitenoise.middleware.WhiteNoiseMiddleware"}'

# apps
omero config append omero.web.apps '"omero_iviewer"'
omero config append omero.web.apps '"omero_figure"'
omero config set omero.web.viewer.view omero_iviewer.views.index
omero config append omero.web.ui.top_links '["Figure", "figure_index", {"title": "Open Figure in new tab", "target": "_blank"}]'

# public user: images only, never downloads
omero config set omero.web.public.enabled true
omero config set omero.web.public.user public-user
omero config set omero.web.public.password 'Pub1ic-Pa55'
omero config set omero.web.public.url_filter '^/webgateway/(?!archived_files|download_as)'
omero config set omero.web.public.server_id 1

# mail for error reports
omero config set omero.web.email_host smtp.example.org
omero config set omero.web.time_zone 'Europe/Londn'
omero config set omero.web.sesion_cookie_age 3600

omero web config nginx --http 80 --servername omero.example.org > /etc/nginx/conf.d/omeroweb.conf
omero web start
