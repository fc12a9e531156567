"""Flask extensions, created unbound and bound in the app factory."""

from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect

from summit.models.base import Base

db = SQLAlchemy(model_class=Base)
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
# A4: throttles for log-in, sign-up and reset; storage from RATELIMIT_STORAGE_URI.
limiter = Limiter(key_func=get_remote_address)
