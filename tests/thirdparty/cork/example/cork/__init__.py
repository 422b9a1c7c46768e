# Cork - Authentication module for the Bottle web framework
# Copyright (C) 2013 Federico Ceratto and others, see AUTHORS file.
# Released under LGPLv3+ license, see LICENSE.txt
#
# Backends API - used to make backends available for importing
#
from .cork import Cork, JsonBackend, AAAException, AuthException, Mailer, FlaskCork, Redirect
