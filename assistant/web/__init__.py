"""Browser app, embeddable widget and HTTP API; `assistant.web.app.create_app(settings, service)` builds it."""
