#!/bin/bash
# append/remove on unset keys: custom web keys start from OMERO.web's default
# list; internal web keys, non-list defaults and non-web keys do not
omero config append omero.web.ui.top_links '["Figure", "figure_index", {"title": "Open Figure"}]'
omero config append omero.web.open_with '["Figure", "new_figure"]'
omero config append omero.web.allowed_hosts '"omero.example.org"'
omero config append omero.web.system_checks '"x.W001"'
omero config append omero.web.debug 'true'
omero config append omero.web.caches '{"x": 1}'
omero config append omero.web.public.url_filter '"^/x"'
omero config append omero.web.time_zone '"UTC"'
omero config append omero.client.viewer.extra '"x"'
omero config append omero.web.x.not_in_catalog '1'
omero config remove omero.web.ui.right_plugins '["ROIs", "webtest/webclient_plugins/right_plugin.rois.js.html", "image_roi_tab"]'
omero config remove omero.web.ui.metadata_panes '{"name": "tag", "label": "Tags", "index": 1}'
omero config remove omero.web.apps '"omero_iviewer"'
