#!/bin/bash
# append re-serialises the whole list with json.dumps: ASCII escapes, float repr, separators
omero config set omero.web.x.dumps '[ "é",1E5 , 1.10,-0.0 ,{"k" :  [ ] } ]'
omero config append omero.web.x.dumps '1e16'
omero config append omero.web.x.dumps '12345678901234567890123456789'
omero config append omero.web.x.dumps '1e400'
omero config append omero.web.x.dumps '-1e400'
omero config append omero.web.x.dumps '"\ud83d\ude00 😀 \u2028"'
omero config append omero.web.x.dumps '0.1'
omero config append omero.web.x.dumps '5e-324'
omero config append omero.web.x.dumps '{"z": 1, "a": {"y": [true]}}'
omero config append omero.web.x.dumps '"tab\there"'
omero config append omero.web.x.dumps '"\/slash"'
