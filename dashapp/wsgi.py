"""What gunicorn serves: ``gunicorn -c gunicorn.conf.py dashapp.wsgi:server``."""

from .app import create_app

app = create_app()
server = app.server
