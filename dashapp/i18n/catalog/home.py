"""Texts of the home page (the macro level): period switch, cards, funnel summary, conventions."""

MESSAGES = {
    "home.title": ("How it is going", "Où en est-on"),
    "home.period_switch": ("Period", "Période"),
    "home.period_info": ("{start} – {end}, compared with {previous_start} – {previous_end} and with "
                         "{last_year_start} – {last_year_end}. Data up to {data_end}.",
                         "Du {start} au {end}, comparé au {previous_start} – {previous_end} et au "
                         "{last_year_start} – {last_year_end}. Données jusqu'au {data_end}."),
    "home.cards": ("Key indicators", "Indicateurs clés"),
    "home.no_kpis": ("Your role has no indicators on this page.", "Votre rôle n'a pas d'indicateurs sur cette page."),
    "home.state.green": ("On target", "Objectif atteint"),
    "home.state.amber": ("Close to target", "Proche de l'objectif"),
    "home.state.red": ("Off target", "Objectif manqué"),
    "home.state.none": ("No target", "Sans objectif"),
    "home.no_target": ("No target for this period", "Pas d'objectif sur cette période"),
    "home.change.better": ("better", "mieux"),
    "home.change.worse": ("worse", "moins bien"),
    "home.trend": ("Last 13 months", "13 derniers mois"),
    "home.trend.none": ("No monthly trend for this indicator", "Pas de tendance mensuelle pour cet indicateur"),
    "home.open": ("{kpi}: open the drill-down", "{kpi} : ouvrir l'analyse détaillée"),
    "home.funnel.title": ("Funnel (AARRR)", "Entonnoir (AARRR)"),
    "home.funnel.conversion": ("{value} of {previous}", "{value} des {previous}"),
    "home.funnel.churn": ("churn {value}", "attrition {value}"),
    "home.conventions": (
        "Conventions: funnel counts follow the activity convention (a deal won in March counts in March, whenever "
        "its lead was created); MRR, customers and the open pipeline (GPMRR) are stocks read at the period's end. "
        "Changes compare with the previous period of the same length and with the same period last year.",
        "Conventions : les volumes de l'entonnoir suivent la convention d'activité (une affaire gagnée en mars compte "
        "en mars, quelle que soit la date de création du lead) ; le MRR, les clients et le pipeline ouvert (GPMRR) "
        "sont des stocks lus en fin de période. Les évolutions comparent à la période précédente de même durée et "
        "à la même période de l'année précédente."),
}
