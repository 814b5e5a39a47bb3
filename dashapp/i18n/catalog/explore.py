"""Texts of the drill-down page (/explore): filter bar, charts, grid, exports, cohorts."""

MESSAGES = {
    "explore.title": ("Drill-down", "Analyse détaillée"),
    "explore.intro": ("Filter, compare with targets and last year, and find out why.",
                      "Filtrez, comparez aux objectifs et à l'année précédente, et comprenez pourquoi."),
    "explore.invalid": ("This view was asked for a KPI, breakdown or format that does not exist.",
                        "Cette vue a reçu un indicateur, une répartition ou un format qui n'existe pas."),
    # filter bar
    "explore.filter.period": ("Period", "Période"),
    "explore.filter.dates": ("Dates", "Dates"),
    "explore.filter.grain": ("Grain", "Granularité"),
    "explore.filter.region": ("Region", "Région"),
    "explore.filter.channel": ("Channel", "Canal"),
    "explore.filter.campaign": ("Campaign", "Campagne"),
    "explore.filter.source": ("Source", "Source"),
    "explore.filter.kpi": ("KPI", "Indicateur"),
    "explore.filter.all": ("All", "Tous"),
    "explore.filter.all_regions": ("All my regions", "Toutes mes régions"),
    "explore.share": ("The address of this page holds the filters: copy it to share this view.",
                      "L'adresse de cette page contient les filtres : copiez-la pour partager cette vue."),
    # headline and series
    "explore.headline": ("{kpi}, {start} – {end}: {value}", "{kpi}, {start} – {end} : {value}"),
    "explore.headline.target": ("target {target} ({ratio} of target)", "objectif {target} ({ratio} de l'objectif)"),
    "explore.headline.no_target": ("no target", "pas d'objectif"),
    "explore.series.title": ("{kpi} per {grain}", "{kpi} par {grain}"),
    "explore.series.monthly_only": ("This KPI is read monthly (a stock or a ratio of monthly figures).",
                                    "Cet indicateur se lit au mois (un stock ou un ratio de chiffres mensuels)."),
    "explore.series.partial_note": ("A dotted segment to a hollow point is a bucket the period covers only in part "
                                    "(a week or a month in progress): not a complete period.",
                                    "Un segment pointillé vers un point creux est une tranche que la période ne couvre "
                                    "qu'en partie (une semaine ou un mois en cours) : pas une période complète."),
    "explore.series.target_note": ("Monthly targets, spread over the days of each month for counts and amounts.",
                                   "Objectifs mensuels, répartis sur les jours du mois pour les volumes et montants."),
    "explore.grain.day": ("day", "jour"),
    "explore.grain.week": ("ISO week", "semaine ISO"),
    "explore.grain.month": ("month", "mois"),
    "explore.week_label": ("Week {week} ({start})", "Semaine {week} ({start})"),
    # funnel
    "explore.funnel.title": ("Funnel", "Entonnoir"),
    "explore.funnel.note": (
        "Stages in their order: leads, MQL, SQL, opportunity, won, each counted on the day it was reached. Qualified "
        "leads (a test-drive or quote request) are an attribute of a lead, not a stage: shown beside the funnel. "
        "Hover a stage for its definition; the table starts at impressions.",
        "Les étapes dans leur ordre : leads, MQL, SQL, opportunité, gagnée, chacune comptée le jour où elle est "
        "atteinte. Les leads qualifiés (une demande d'essai ou de devis) sont un attribut du lead, pas une étape : "
        "montrés à côté de l'entonnoir. Survolez une étape pour sa définition ; le tableau part des impressions."),
    "explore.funnel.beside": ("{kpi}: {count} ({ratio} of {of}), an attribute, not a stage",
                              "{kpi} : {count} ({ratio} des {of}), un attribut, pas une étape"),
    "explore.funnel.beside_label": ("{kpi} (beside the funnel)", "{kpi} (à côté de l'entonnoir)"),
    "explore.funnel.stage": ("Stage", "Étape"),
    "explore.funnel.count": ("Count", "Volume"),
    "explore.funnel.ratio": ("Conversion from the stage above", "Conversion depuis l'étape précédente"),
    # grid
    "explore.grid.title": ("Breakdown", "Répartition"),
    "explore.grid.by": ("By", "Par"),
    "explore.grid.total": ("Total", "Total"),
    "explore.grid.none": ("(none)", "(aucun)"),
    "explore.grid.click": ("Click a row's name to filter the page on it", "Cliquez sur le nom d'une ligne pour "
                           "filtrer la page sur elle"),
    "explore.grid.note": ("Costs are media spend; cost per customer is the media CAC; a cost per unit is blank where "
                          "nothing was spent (unpaid channels). Spend is recorded per channel and campaign, not per "
                          "source: by source, the grid shows the funnel only. Hover a header for its definition, click "
                          "it to sort.",
                          "Les coûts sont les dépenses média ; le coût par client est le CAC média ; un coût unitaire "
                          "est vide là où rien n'a été dépensé (canaux non payants). Les dépenses sont connues par "
                          "canal et campagne, pas par source : par source, la grille montre l'entonnoir seulement. "
                          "Survolez un en-tête pour sa définition, cliquez pour trier."),
    "explore.by.channel": ("Channel", "Canal"),
    "explore.by.campaign": ("Campaign", "Campagne"),
    "explore.by.region": ("Region", "Région"),
    "explore.by.source": ("Source", "Source"),
    "explore.export.sheet": ("Breakdown", "Répartition"),
    "explore.export.rate": ("Rate", "Taux"),
    "explore.export.heatmap_sheet": ("Cost per qualified lead", "Coût par lead qualifié"),
    # leaderboard
    "explore.leaderboard.title": ("Sales leaderboard (top 10)", "Classement commercial (top 10)"),
    "explore.leaderboard.rank": ("#", "#"),
    "explore.leaderboard.rep": ("Sales rep", "Commercial"),
    "explore.leaderboard.team": ("Team", "Équipe"),
    "explore.leaderboard.lead_to_won": ("Won ÷ leads", "Gagnées ÷ leads"),
    "explore.leaderboard.closed": ("Closed opportunities", "Opportunités clôturées"),
    "explore.leaderboard.win_rate": ("Win rate (won ÷ closed)", "Taux de gain (gagnées ÷ clôturées)"),
    "explore.leaderboard.note": ("Ranked by won value over the months of the period. Each rate divides counts of those "
                                 "months: deals won ÷ leads created, and the win rate, deals won ÷ opportunities "
                                 "closed (won or lost) in those months.",
                                 "Classé par valeur gagnée sur les mois de la période. Chaque taux divise des volumes "
                                 "de ces mois : affaires gagnées ÷ leads créés, et le taux de gain, affaires gagnées ÷ "
                                 "opportunités clôturées (gagnées ou perdues) sur ces mois."),
    # heatmap
    "explore.heatmap.title": ("Cost per qualified lead, channel × month",
                              "Coût par lead qualifié, canal × mois"),
    "explore.heatmap.note": ("Paid channels only; an empty cell has no qualified lead. Click a cell to filter the "
                             "page on its channel and month.",
                             "Canaux payants uniquement ; une case vide n'a aucun lead qualifié. Cliquez sur une case "
                             "pour filtrer la page sur son canal et son mois."),
    # cohorts
    "explore.cohort.title": ("Cohort view: by lead creation month", "Vue cohorte : par mois de création du lead"),
    "explore.activity.title": ("Activity view: by stage date", "Vue activité : par date d'étape"),
    "explore.cohort.convention": (
        "Two conventions, on purpose. Cohort view: each lead counts in the month it was created, with every stage "
        "it reached since, whenever it reached it (recent cohorts are still maturing). Activity view: each stage "
        "counts in the month it was reached (a deal won in March counts in March), as everywhere else in the app. "
        "Both cover the whole months of the period.",
        "Deux conventions, volontairement. Vue cohorte : chaque lead compte dans son mois de création, avec toutes "
        "les étapes atteintes depuis, quelle que soit leur date (les cohortes récentes mûrissent encore). Vue "
        "activité : chaque étape compte dans le mois où elle a été atteinte (une affaire gagnée en mars compte en "
        "mars), comme partout ailleurs dans l'application. Les deux couvrent les mois entiers de la période."),
    "explore.cohort.month": ("Month", "Mois"),
}
