"""Texts shared by every page: navigation, login, errors, periods, KPI names."""

MESSAGES = {
    "app.title": ("Pilotage", "Pilotage"),
    "nav.home": ("Overview", "Vue d'ensemble"),
    "nav.explore": ("Drill-down", "Analyse détaillée"),
    "nav.forecast": ("Forecast", "Prévisions"),
    "nav.planning": ("Media planning", "Plan média"),
    "nav.admin": ("Administration", "Administration"),
    "nav.glossary": ("Glossary", "Glossaire"),
    "nav.toggle": ("Menu", "Menu"),
    "nav.logout": ("Log out", "Se déconnecter"),
    "nav.language": ("Français", "English"),
    "nav.scope": ("Scope: {scope}", "Périmètre : {scope}"),
    "scope.all": ("all regions", "toutes les régions"),
    "scope.none": ("no region", "aucune région"),
    "scope.outside": ("{regions}: outside your access. This page shows {shown} instead.",
                      "{regions} : hors de votre périmètre. Cette page montre {shown} à la place."),
    "scope.your_scope": ("your scope ({scope})", "votre périmètre ({scope})"),
    "export.invalid": ("This export was asked for a view, KPI or breakdown that does not exist.",
                       "Cet export a reçu une vue, un indicateur ou une répartition qui n'existe pas."),
    "export.csv": ("CSV", "CSV"),
    "export.xlsx": ("Excel", "Excel"),
    "export.csv.title": ("Download the data of this view as CSV", "Télécharger les données de cette vue en CSV"),
    "export.xlsx.title": ("Download the data of this view as Excel", "Télécharger les données de cette vue en Excel"),
    "role.director": ("Director", "Directeur"),
    "role.planner": ("Media planner", "Planificateur média"),
    "role.sales": ("Sales manager", "Responsable commercial"),
    "role.admin": ("Data team", "Équipe data"),
    "login.title": ("Sign in", "Connexion"),
    "login.email": ("E-mail", "E-mail"),
    "login.password": ("Password", "Mot de passe"),
    "login.submit": ("Sign in", "Se connecter"),
    "login.invalid": ("Wrong e-mail or password.", "E-mail ou mot de passe incorrect."),
    "mail.locked.subject": ("Pilotage: your account is locked", "Pilotage : votre compte est bloqué"),
    "mail.locked.body": (
        "Someone, maybe you, failed to sign in to your Pilotage account {attempts} times. To protect it, the "
        "account is locked for {minutes} minutes; after that you can sign in as usual.\n\nIf it was not you, "
        "nothing is lost, but please tell your administrator, who can also unlock the account at once.",
        "Quelqu'un, peut-être vous, a échoué {attempts} fois à se connecter à votre compte Pilotage. Pour le "
        "protéger, le compte est bloqué pendant {minutes} minutes ; ensuite vous pourrez vous connecter comme "
        "d'habitude.\n\nSi ce n'était pas vous, rien n'est perdu, mais prévenez votre administrateur, qui peut "
        "aussi débloquer le compte tout de suite."),
    "login.throttled": ("Too many attempts from your address. Try again in a few minutes.",
                        "Trop de tentatives depuis votre adresse. Réessayez dans quelques minutes."),
    "login.expired": ("Your session has expired. Please sign in again.",
                      "Votre session a expiré. Merci de vous reconnecter."),
    "login.csrf": ("The form expired. Please try again.", "Le formulaire a expiré. Merci de réessayer."),
    "login.demo_users": ("Demo users (password {password})", "Utilisateurs de démonstration (mot de passe {password})"),
    "error.forbidden.title": ("Access denied", "Accès refusé"),
    "error.forbidden.text": ("Your role does not give access to this page.",
                             "Votre rôle ne donne pas accès à cette page."),
    "error.notfound": ("This page does not exist.", "Cette page n'existe pas."),
    "error.data": ("The figures cannot be loaded right now (the database does not answer). "
                   "The page will recover by itself; try again in a moment.",
                   "Les chiffres ne peuvent pas être chargés pour l'instant (la base de données ne répond pas). "
                   "La page se rétablira d'elle-même ; réessayez dans un instant."),
    "error.unexpected": ("Something went wrong while computing this view. The data team has been notified.",
                         "Une erreur est survenue lors du calcul de cette vue. L'équipe data a été prévenue."),
    "common.target": ("Target", "Objectif"),
    "common.of_target": ("{value} of target", "{value} de l'objectif"),
    "common.vs_previous": ("vs previous period", "vs période précédente"),
    "common.vs_last_year": ("vs last year", "vs année précédente"),
    "common.no_data": ("No data for this selection.", "Aucune donnée pour cette sélection."),
    "common.actual": ("Actual", "Réel"),
    "common.last_year": ("Last year", "Année précédente"),
    "period.last_month": ("Last complete month", "Dernier mois complet"),
    "period.last_week": ("Last complete week", "Dernière semaine complète"),
    "period.month_to_date": ("Month to date", "Mois en cours"),
    "period.week_to_date": ("Week to date", "Semaine en cours"),
    "period.quarter_to_date": ("Quarter to date", "Trimestre en cours"),
    "period.last_quarter": ("Last complete quarter", "Dernier trimestre complet"),
    "period.last_12_months": ("Last 12 months", "12 derniers mois"),
    "period.year_to_date": ("Year to date", "Année en cours"),
    "period.custom": ("Custom", "Personnalisée"),
    # A period and what it is compared with (dashapp.layout.periods), like for like.
    "compare.sentence": ("{window}{progress}, {comparison}. Data up to {data_end}.",
                         "{window}{progress}, {comparison}. Données jusqu'au {data_end}."),
    "compare.in_progress.week": ("week {week} in progress: {days} of its {total} days",
                                 "semaine {week} en cours : {days} jours sur {total}"),
    "compare.in_progress.month": ("month in progress: {days} of its {total} days",
                                  "mois en cours : {days} jours sur {total}"),
    "compare.in_progress.quarter": ("quarter in progress: {days} of its {total} days",
                                    "trimestre en cours : {days} jours sur {total}"),
    "compare.in_progress.year": ("year in progress: {days} of its {total} days",
                                 "année en cours : {days} jours sur {total}"),
    "compare.week.partial": ("compared with the same weekdays of the previous week ({previous}) and of the same ISO "
                             "week last year ({last_year})",
                             "comparé aux mêmes jours de la semaine précédente ({previous}) et de la même semaine "
                             "ISO l'an dernier ({last_year})"),
    "compare.week.complete": ("compared with the previous week ({previous}) and the same ISO week last year "
                              "({last_year})",
                              "comparé à la semaine précédente ({previous}) et à la même semaine ISO l'an dernier "
                              "({last_year})"),
    "compare.month.partial": ("compared with the same days of the previous month ({previous}) and of the same month "
                              "last year ({last_year})",
                              "comparé aux mêmes jours du mois précédent ({previous}) et du même mois l'an dernier "
                              "({last_year})"),
    "compare.month.complete": ("compared with the previous month ({previous}) and the same month last year "
                               "({last_year})",
                               "comparé au mois précédent ({previous}) et au même mois l'an dernier ({last_year})"),
    "compare.quarter.partial": ("compared with the same days of the previous quarter ({previous}) and of the same "
                                "quarter last year ({last_year})",
                                "comparé aux mêmes jours du trimestre précédent ({previous}) et du même trimestre "
                                "l'an dernier ({last_year})"),
    "compare.quarter.complete": ("compared with the previous quarter ({previous}) and the same quarter last year "
                                 "({last_year})",
                                 "comparé au trimestre précédent ({previous}) et au même trimestre l'an dernier "
                                 "({last_year})"),
    "compare.year.partial": ("compared with the same days of last year ({last_year})",
                             "comparé aux mêmes jours de l'année précédente ({last_year})"),
    "compare.year.complete": ("compared with the previous year ({last_year})",
                              "comparé à l'année précédente ({last_year})"),
    "compare.weeks.complete": ("compared with the {count} weeks before ({previous}) and the same ISO weeks last year "
                               "({last_year})",
                               "comparé aux {count} semaines précédentes ({previous}) et aux mêmes semaines ISO l'an "
                               "dernier ({last_year})"),
    "compare.months.complete": ("compared with the {count} months before ({previous}) and the same months last year "
                                "({last_year})",
                                "comparé aux {count} mois précédents ({previous}) et aux mêmes mois l'an dernier "
                                "({last_year})"),
    "compare.days.complete": ("compared with the {count} days before ({previous}) and the same dates last year "
                              "({last_year})",
                              "comparé aux {count} jours précédents ({previous}) et aux mêmes dates l'an dernier "
                              "({last_year})"),
    # The one badge rule (metrics.state), said in each badge's tooltip for the KPI's direction.
    "badge.rule.higher": ("Higher is better. Green: target reached; amber: missed by {tolerance} or less; red: "
                          "missed by more. Read on the % of target shown.",
                          "Plus haut, mieux c'est. Vert : objectif atteint ; orange : manqué de {tolerance} au plus ; "
                          "rouge : manqué de plus. Lu sur le % de l'objectif affiché."),
    "badge.rule.lower": ("Lower is better. Green: at or under target; amber: over it by {tolerance} or less; red: "
                         "over it by more. Read on the % of target shown.",
                         "Plus bas, mieux c'est. Vert : objectif tenu ; orange : dépassé de {tolerance} au plus ; "
                         "rouge : dépassé de plus. Lu sur le % de l'objectif affiché."),
    "badge.rule.target": ("A budget: the closer to target, the better. Green: on target (100.0% shown); amber: off "
                          "by {tolerance} or less, either way; red: off by more.",
                          "Un budget : au plus près de l'objectif, mieux c'est. Vert : sur l'objectif (100,0 % "
                          "affiché) ; orange : écart de {tolerance} au plus, dans un sens ou dans l'autre ; rouge : "
                          "écart plus grand."),
    "badge.rule.none": ("No target for this period, so no colour.", "Pas d'objectif sur cette période, donc pas de "
                                                                      "couleur."),
    "kpi.timing.leading": ("Leading indicator: it moves first, while there is still time to act.",
                           "Indicateur avancé : il bouge en premier, quand il est encore temps d'agir."),
    "kpi.timing.lagging": ("Lagging indicator: it records the outcome.",
                           "Indicateur retardé : il constate le résultat."),
    "kpi.timing_short.leading": ("Leading", "Avancé"),
    "kpi.timing_short.lagging": ("Lagging", "Retardé"),
    "kpi.direction.higher": ("Higher is better", "Plus haut, mieux c'est"),
    "kpi.direction.lower": ("Lower is better", "Plus bas, mieux c'est"),
    "kpi.direction.target": ("Closest to target is best (a budget)", "Au plus près de l'objectif (un budget)"),
    # Charts
    "chart.partial": ("Partial period", "Période partielle"),
    "chart.partial_hover": ("partial: {start} – {end} only", "partielle : du {start} au {end} seulement"),
    # Dropdowns (dcc.Dropdown's own texts, which are English unless given)
    "dropdown.placeholder": ("Select...", "Choisir…"),
    "dropdown.select_all": ("Select all", "Tout sélectionner"),
    "dropdown.deselect_all": ("Deselect all", "Tout désélectionner"),
    "dropdown.selected_count": ("{num_selected} selected", "{num_selected} sélectionné(s)"),
    "dropdown.search": ("Search", "Rechercher"),
    "dropdown.clear": ("Clear", "Effacer"),
    "dropdown.no_options": ("No option found", "Aucune option"),
    # Reference rows the store seeds, and who ran a command (dashapp.i18n.region_name, team_name, operator)
    "region.unassigned": ("Unassigned", "Non attribuée"),
    "team.unassigned": ("No team", "Sans équipe"),
    "operator.cli": ("command line", "ligne de commande"),
    "operator.cli_named": ("command line ({name})", "ligne de commande ({name})"),
    "operator.scheduler": ("scheduler", "planificateur"),
    "grain.day": ("Day", "Jour"),
    "grain.week": ("ISO week", "Semaine ISO"),
    "grain.month": ("Month", "Mois"),
    "stage.awareness": ("Awareness", "Notoriété"),
    "stage.acquisition": ("Acquisition", "Acquisition"),
    "stage.activation": ("Activation", "Activation"),
    "stage.revenue": ("Revenue", "Revenu"),
    "stage.retention": ("Retention", "Rétention"),
    "kpi.impressions": ("Impressions", "Impressions"),
    "kpi.clicks": ("Clicks", "Clics"),
    "kpi.ctr": ("Click-through rate", "Taux de clic"),
    "kpi.sessions": ("Sessions", "Sessions"),
    "kpi.leads": ("Leads", "Leads"),
    "kpi.qualified_leads": ("Qualified leads", "Leads qualifiés"),
    "kpi.qualified_rate": ("Qualified share", "Part qualifiée"),
    "kpi.session_to_lead": ("Session to lead", "Session vers lead"),
    "kpi.mqls": ("MQL", "MQL"),
    "kpi.sqls": ("SQL", "SQL"),
    "kpi.opportunities": ("Opportunities", "Opportunités"),
    "kpi.lead_to_mql": ("Lead to MQL", "Lead vers MQL"),
    "kpi.mql_to_sql": ("MQL to SQL", "MQL vers SQL"),
    "kpi.sql_to_opportunity": ("SQL to opportunity", "SQL vers opportunité"),
    "kpi.opportunity_to_won": ("Opportunity to won", "Opportunité vers gagnée"),
    "kpi.lead_to_won": ("Lead to won", "Lead vers gagnée"),
    "kpi.opportunity_win_rate": ("Win rate (won ÷ closed opportunities)",
                                 "Taux de gain (gagnées ÷ opportunités clôturées)"),
    "kpi.won": ("Won deals", "Affaires gagnées"),
    "kpi.spend": ("Media spend", "Dépenses média"),
    "kpi.cost_per_lead": ("Cost per lead", "Coût par lead"),
    "kpi.cost_per_qualified_lead": ("Cost per qualified lead", "Coût par lead qualifié"),
    "kpi.cost_per_opportunity": ("Cost per opportunity", "Coût par opportunité"),
    "kpi.cac": ("Cost per customer (CAC, media)", "Coût par client (CAC, média)"),
    "kpi.cac_full": ("Full CAC (media + costs)", "CAC complet (média + coûts)"),
    "kpi.leads_per_k_eur": ("Leads per €1,000", "Leads pour 1 000 €"),
    "kpi.average_deal_value": ("Average deal value", "Valeur moyenne d'affaire"),
    "kpi.won_value": ("Won value", "Valeur gagnée"),
    "kpi.new_mrr": ("New MRR", "Nouveau MRR"),
    "kpi.mrr": ("MRR", "MRR"),
    "kpi.arr": ("ARR", "ARR"),
    "kpi.churn_rate": ("Churn rate (complete months)", "Taux d'attrition (mois complets)"),
    "kpi.arpu": ("ARPU", "ARPU"),
    "kpi.ltv": ("LTV", "LTV"),
    "kpi.payback_months": ("Payback (months)", "Retour sur investissement (mois)"),
    "kpi.gpmrr": ("GPMRR (open pipeline MRR)", "GPMRR (MRR du pipeline ouvert)"),
}
