#!/bin/bash
# server_list parses as JSON but fails in load_server_list: every append to an
# unset omero.web key fails (514) until it is fixed
omero config set omero.web.server_list '[["omero"]]'
omero config append omero.web.ui.top_links '["A", "a"]'
omero config set omero.web.middleware '[{"index": 1}]'
omero config set omero.web.server_list '[["omero", 4064]]'
omero config append omero.web.open_with '["B", "b"]'
omero config remove omero.web.middleware '{"index": 1}'
omero config append omero.web.open_with '["C", "c"]'
