"""The home page's component ids (the cards' own ids are built in :mod:`dashapp.layout.cards`)."""

PAGE = "home-page"
PERIOD = "home-period"  # the period switch; ?period= preselects it and follows it
PERIOD_INFO = "home-period-info"
PDF = "home-pdf"
PDF_DOWNLOAD = "home-pdf-download"
PDF_FEEDBACK = "home-pdf-feedback"
HEALTH = "home-health"
HEALTH_LINE = "home-health-line"
CARDS = "home-cards"
FUNNEL = "home-funnel"
CONVENTIONS = "home-conventions"
