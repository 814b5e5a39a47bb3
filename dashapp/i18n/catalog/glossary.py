"""Texts of the glossary page (the definitions themselves come from dashapp.semantic.metrics)."""

MESSAGES = {
    "glossary.title": ("Glossary", "Glossaire"),
    "glossary.intro": ("Every indicator of the app: what it counts or divides, whether it is a leading or a lagging "
                       "indicator, and which way is better. The same definitions appear in the tooltips.",
                       "Tous les indicateurs de l'application : ce qu'ils comptent ou divisent, s'ils sont avancés ou "
                       "retardés, et dans quel sens c'est mieux. Les mêmes définitions apparaissent dans les "
                       "infobulles."),
    "glossary.column.kpi": ("Indicator", "Indicateur"),
    "glossary.column.definition": ("Definition", "Définition"),
    "glossary.column.timing": ("Leading or lagging", "Avancé ou retardé"),
    "glossary.column.direction": ("Better", "Sens"),
    "glossary.column.stage": ("Funnel stage (AARRR)", "Étape (AARRR)"),
    "glossary.timing.title": ("Leading and lagging indicators", "Indicateurs avancés et retardés"),
    "glossary.badges.title": ("Badges: the one rule", "Pastilles : la règle unique"),
    "glossary.periods.title": ("Periods and comparisons", "Périodes et comparaisons"),
    "glossary.periods.text": (
        "A period in progress (a week, month or quarter to date) is compared like for like: with the same weekdays "
        "of the previous week and of the same ISO week last year, or with the same days counted from the start of "
        "the previous month or quarter and of the same one last year (quarter to date 1 July – 3 September: "
        "1 April – 3 June and 1 July – 3 September last year). A complete period is compared with the whole previous "
        "one and the whole same one last year. Stocks (MRR, customers, GPMRR) are read at the period's end; churn "
        "over its complete months only. On charts, a bucket the period covers only in part is drawn dotted.",
        "Une période en cours (semaine, mois ou trimestre en cours) est comparée à périmètre égal : aux mêmes jours "
        "de la semaine précédente et de la même semaine ISO l'an dernier, ou aux mêmes jours comptés depuis le début "
        "du mois ou du trimestre précédent et du même l'an dernier (trimestre en cours du 1er juillet au "
        "3 septembre : du 1er avril au 3 juin et du 1er juillet au 3 septembre l'an dernier). Une période complète "
        "est comparée à toute la période précédente et à toute la même période l'an dernier. Les stocks (MRR, "
        "clients, GPMRR) se lisent en fin de période ; l'attrition sur ses mois complets seulement. Sur les "
        "graphiques, une tranche que la période ne couvre qu'en partie est tracée en pointillé."),
}
