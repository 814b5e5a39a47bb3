"""Texts of the home page (the macro level): period switch, cards, funnel summary, conventions."""

MESSAGES = {
    "home.title": ("How it is going", "Où en est-on"),
    "home.period_switch": ("Period", "Période"),
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
    "home.trend.none": ("Fewer than two months with a value: no trend yet",
                        "Moins de deux mois avec une valeur : pas encore de tendance"),
    "home.open": ("{kpi}: open the drill-down", "{kpi} : ouvrir l'analyse détaillée"),
    "home.funnel.title": ("Funnel (AARRR)", "Entonnoir (AARRR)"),
    "home.export.kpi": ("KPI", "Indicateur"),
    "home.export.value": ("Value", "Valeur"),
    "home.export.target": ("Target", "Objectif"),
    "home.export.attainment": ("Share of target", "Part de l'objectif"),
    "home.export.vs_previous": ("Change vs previous period", "Évolution vs période précédente"),
    "home.export.vs_last_year": ("Change vs last year", "Évolution vs année précédente"),
    "home.export.state": ("State", "État"),
    "home.export.stage": ("Stage", "Étape"),
    "home.export.rate": ("Conversion (churn for retention)", "Conversion (attrition pour la rétention)"),
    "home.export.rate_of": ("Share of", "Part des"),
    "home.funnel.conversion": ("{value} of {previous}", "{value} des {previous}"),
    "home.funnel.churn": ("churn {value} (complete months)", "attrition {value} (mois complets)"),
    "home.funnel.churn_none": ("churn: complete months only", "attrition : sur mois complets seulement"),
    "home.conventions": (
        "Conventions: funnel counts follow the activity convention (a deal won in March counts in March, whenever "
        "its lead was created); MRR, customers and the open pipeline (GPMRR) are stocks read at the period's end; "
        "churn is read over complete months only. Changes compare like for like: a period in progress with the same "
        "days of the previous period and of last year (the same weekdays for a week, the same days from the start "
        "for a month or a quarter). Sparklines show the last 13 complete months.",
        "Conventions : les volumes de l'entonnoir suivent la convention d'activité (une affaire gagnée en mars compte "
        "en mars, quelle que soit la date de création du lead) ; le MRR, les clients et le pipeline ouvert (GPMRR) "
        "sont des stocks lus en fin de période ; l'attrition se lit sur des mois complets seulement. Les évolutions "
        "comparent à périmètre égal : une période en cours aux mêmes jours de la période précédente et de l'année "
        "précédente (les mêmes jours de la semaine pour une semaine, les mêmes jours depuis le début pour un mois ou "
        "un trimestre). Les courbes montrent les 13 derniers mois complets."),
}
