#!/bin/bash
# argparse: a negative number is a value, other dash words are options; -- ends options
omero config set omero.web.x.neg -1
omero config set omero.web.x.float -1.5
omero config set omero.web.x.opt -x
omero config set omero.web.x.long --long
omero config set -- omero.web.x.dash -x
omero config set -- omero.web.x.dashdash --long
omero config set --report omero.web.x.report yes
omero config append -- omero.web.x.list '-1'
omero config append omero.web.x.list -2
omero config append --set -- omero.web.x.list -2
omero config set omero.web.x.after -- -5
omero config set omero.web.x.eq=1
omero config set omero.web.x.eq2= value
omero config set omero.web.x.eq3=a b
