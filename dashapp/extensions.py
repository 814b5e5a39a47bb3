"""Flask extensions, created unbound and attached in :func:`dashapp.app.create_app`."""

from flask_caching import Cache
from flask_login import LoginManager
from flask_wtf.csrf import CSRFProtect

login_manager = LoginManager()
cache = Cache()
csrf = CSRFProtect()
