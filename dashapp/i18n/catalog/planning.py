"""Texts of the media planning page (``/planning``): the response model, the scenario editor and its
uploads, saved scenarios and their comparison, and the budget optimiser."""

MESSAGES = {
    "planning.title": ("Media planning", "Planification média"),
    "planning.scope": ("Model", "Modèle"),
    "planning.scope.national": ("Whole company (national)", "Toute l'entreprise (national)"),
    "planning.run_info": ("Champion media model n° {run}, data up to {cutoff}, trained on {created} by {by}.",
                          "Modèle média champion n° {run}, données jusqu'à {cutoff}, entraîné le {created} par {by}."),
    "planning.no_rows": ("No rows", "Aucune ligne"),
    "planning.total": ("Total", "Total"),
    "planning.month": ("Month", "Mois"),
    "planning.channel": ("Channel", "Canal"),
    "planning.interval": ("{value} ({lo} – {hi})", "{value} ({lo} – {hi})"),
    "planning.range": ("{lo} – {hi}", "{lo} – {hi}"),
    "planning.labelled": ("{label}: {value}", "{label} : {value}"),
    # --- errors (codes of dashapp.semantic.planning.PlanningError) ---
    "planning.error.no_run": ("No media model has been trained yet: run `pilotage plan fit`.",
                              "Aucun modèle média n'a encore été entraîné : lancez `pilotage plan fit`."),
    "planning.error.no_model": ("The media model has no model for your scope: a region needs at least two years "
                                "of data and enough qualified leads for a model of its own.",
                                "Le modèle média n'a pas de modèle pour votre périmètre : une région a besoin d'au "
                                "moins deux ans de données et d'assez de leads qualifiés pour avoir son propre "
                                "modèle."),
    "planning.error.scope": ("This model is not in your scope.", "Ce modèle n'est pas dans votre périmètre."),
    "planning.error.rows": ("The plan in the editor does not match the model: reload the page.",
                            "Le plan de l'éditeur ne correspond pas au modèle : rechargez la page."),
    "planning.error.spend": ("“{value}” in {column} is not an amount in euros.",
                             "« {value} » dans {column} n'est pas un montant en euros."),
    "planning.error.negative": ("{column}: a spend cannot be negative ({value}).",
                                "{column} : une dépense ne peut pas être négative ({value})."),
    "planning.error.too_large": ("{column}: {value} is more than any media budget.",
                                 "{column} : {value} dépasse tout budget média."),
    "planning.error.name": ("Give the scenario a name (at most 120 characters).",
                            "Donnez un nom au scénario (120 caractères au plus)."),
    "planning.error.not_found": ("This scenario does not exist or is not yours.",
                                 "Ce scénario n'existe pas ou ne vous appartient pas."),
    "planning.error.mode": ("Choose a budget or a lead target.", "Choisissez un budget ou un objectif de leads."),
    "planning.error.amount": ("Enter a positive budget or lead target.",
                              "Saisissez un budget ou un objectif de leads positif."),
    "planning.error.bounds": ("{column}: the minimum is above the maximum.",
                              "{column} : le minimum dépasse le maximum."),
    "planning.error.infeasible_budget": ("No allocation meets these constraints: the minimums, locked channels "
                                         "or monthly budgets exceed the budget. Loosen one of them.",
                                         "Aucune répartition ne respecte ces contraintes : les minimums, les "
                                         "canaux verrouillés ou les budgets mensuels dépassent le budget. "
                                         "Assouplissez l'une d'elles."),
    "planning.error.infeasible_target": ("The target is out of reach within the maximum spend and budgets: "
                                         "lower it or raise a maximum.",
                                         "L'objectif est hors d'atteinte avec les dépenses maximales et les "
                                         "budgets : baissez-le ou relevez un maximum."),
    "planning.error.infeasible_above_history": ("The budget ({budget}) is more than the history supports: "
                                                "{ceiling} with every channel at its highest monthly spend in every "
                                                "region. Lower it, or widen a channel's range (an extrapolation).",
                                                "Le budget ({budget}) dépasse ce que l'historique permet : "
                                                "{ceiling} avec chaque canal à sa plus forte dépense mensuelle dans "
                                                "chaque région. Baissez-le, ou élargissez la plage d'un canal (une "
                                                "extrapolation)."),
    "planning.error.infeasible_below_history": ("The budget ({budget}) is less than the history's minimums and the "
                                                "locked spend ({floor}). Raise it, or lower a channel's minimum "
                                                "factor.",
                                                "Le budget ({budget}) est inférieur aux minimums de l'historique et "
                                                "aux dépenses verrouillées ({floor}). Augmentez-le, ou baissez le "
                                                "facteur de minimum d'un canal."),
    "planning.error.infeasible_period_floor": ("A month's budget cap is below the history's minimums and the locked "
                                               "spend of that month ({floor}).",
                                               "Le plafond d'un mois est inférieur aux minimums de l'historique et "
                                               "aux dépenses verrouillées de ce mois ({floor})."),
    "planning.error.infeasible_target_out_of_reach": ("The target is out of reach within the historical ranges: "
                                                      "lower it or widen a channel's range.",
                                                      "L'objectif est hors d'atteinte dans les plages historiques : "
                                                      "baissez-le ou élargissez la plage d'un canal."),
    "planning.error.bounds_factor": ("{column}: a maximum factor is between 1 and 5, a minimum factor between 0 "
                                     "and 1.",
                                     "{column} : un facteur de maximum est compris entre 1 et 5, un facteur de "
                                     "minimum entre 0 et 1."),
    "planning.error.pick": ("Choose one of your saved scenarios first.",
                            "Choisissez d'abord l'un de vos scénarios enregistrés."),
    "planning.error.no_allocation": ("Run the optimiser first.", "Lancez d'abord l'optimiseur."),
    "planning.notice.unmodelled": ("The current plan spends on channels this model has no history for: their "
                                   "leads are not in the predictions.",
                                   "Le plan actuel dépense sur des canaux sans historique pour ce modèle : leurs "
                                   "leads ne sont pas dans les prévisions."),
    "planning.notice.unmodelled_item": ("{channel}: {amount}", "{channel} : {amount}"),
    "planning.record.basis": ("The current plan's prediction is the forecast of record (lead forecast run {run}), "
                              "the same as on the forecast page. A scenario is that forecast moved by what the "
                              "response model says its changes of spend bring; its intervals combine both "
                              "doubts.",
                              "La prévision du plan actuel est la prévision de référence (modèle de prévision des "
                              "leads n° {run}), la même que sur la page de prévision. Un scénario est cette "
                              "prévision déplacée de ce que le modèle de réponse attribue à ses changements de "
                              "dépenses ; ses intervalles combinent les deux incertitudes."),
    "planning.record.plan_changed": ("The media plan of {months} changed after the forecast of record was "
                                     "trained: it still assumes the plan it was trained with, until the next "
                                     "training, and the current plan's prediction is that forecast.",
                                     "Le plan média de {months} a changé depuis l'entraînement de la prévision de "
                                     "référence : elle suppose encore le plan de son entraînement, jusqu'au "
                                     "prochain, et la prévision du plan actuel est cette prévision."),
    "planning.record.none": ("No lead forecast covers this scope yet (`pilotage forecast train`): predictions are "
                             "the response model's alone.",
                             "Aucune prévision des leads ne couvre encore ce périmètre (`pilotage forecast "
                             "train`) : les prévisions sont celles du seul modèle de réponse."),
    "planning.record.beyond": ("Months after {month} are beyond the forecast of record and are left out: {months}.",
                               "Les mois après {month} dépassent la prévision de référence et sont laissés de "
                               "côté : {months}."),
    "planning.error.too_many_scenarios": ("You have {limit} saved scenarios: delete some before saving a new one.",
                                          "Vous avez {limit} scénarios enregistrés : supprimez-en avant d'en "
                                          "enregistrer un nouveau."),
    "planning.error.busy": ("An optimisation of yours is already running: wait for its result.",
                            "Une de vos optimisations est déjà en cours : attendez son résultat."),
    # --- the response model ---
    "planning.model.title": ("What each channel brings", "Ce que rapporte chaque canal"),
    "planning.model.help": ("The response model splits qualified leads into a baseline (trend, season, "
                            "context) and each channel's contribution, with carry-over and saturation. The "
                            "cost of the next lead is at the recent spend (mean of the last six months). "
                            "Intervals are 80% intervals over the model's bootstrap.",
                            "Le modèle de réponse décompose les leads qualifiés en une base (tendance, saison, "
                            "contexte) et la contribution de chaque canal, avec rémanence et saturation. Le coût "
                            "du lead suivant est calculé à la dépense récente (moyenne des six derniers mois). Les "
                            "intervalles sont des intervalles à 80 % issus du bootstrap du modèle."),
    "planning.model.info": ("Fitted on {first} – {last} ({months} months): R² {r2}, mean error {mape}.",
                            "Ajusté sur {first} – {last} ({months} mois) : R² {r2}, erreur moyenne {mape}."),
    "planning.model.kind.geo": ("Champion model: the pooled geo model over {regions} regions (the whole company is "
                                "the sum of the regions; a plan for the whole company is spread over the regions "
                                "by their size).",
                                "Modèle champion : le modèle géo mutualisé sur {regions} régions (l'entreprise "
                                "entière est la somme des régions ; un plan pour l'entreprise entière est réparti "
                                "entre les régions selon leur taille)."),
    "planning.model.kind.national": ("Champion model: the national model (one model per scope).",
                                     "Modèle champion : le modèle national (un modèle par périmètre)."),
    "planning.model.unattributed": ("Unattributed: {share} of the fitted leads come from channels the data do not "
                                    "identify.",
                                    "Non attribué : {share} des leads ajustés viennent de canaux que les données "
                                    "n'identifient pas."),
    "planning.model.remedy": ("would be identified by: {remedy}", "serait identifié par : {remedy}"),
    "planning.model.share": ("Share of leads", "Part des leads"),
    "planning.model.average": ("Average cost per incremental lead", "Coût moyen par lead incrémental"),
    "planning.model.marginal": ("Cost of the next lead", "Coût du lead suivant"),
    "planning.model.spend": ("Monthly spend in the history", "Dépense mensuelle historique"),
    "planning.model.status": ("Status", "Statut"),
    "planning.model.identified": ("Identified", "Identifié"),
    "planning.model.unidentified": ("Not identified", "Non identifié"),
    "planning.reason.no_spend": ("no spend in the history", "aucune dépense dans l'historique"),
    "planning.reason.few_periods": ("too few months with spend", "trop peu de mois avec dépense"),
    "planning.reason.constant_spend": ("the spend barely varies, so its effect cannot be told apart",
                                       "la dépense varie trop peu pour en distinguer l'effet"),
    "planning.reason.uncertain": ("its cost per lead is too uncertain to rely on",
                                  "son coût par lead est trop incertain pour s'y fier"),
    # the geo model's reasons (forecasting.planning.geo.GEO_REASONS) and what would identify the channel
    "planning.reason.confounded_season": ("its spend moves with the season, so its effect cannot be told apart",
                                          "sa dépense suit la saison, son effet ne peut en être distingué"),
    "planning.reason.confounded_channel": ("its spend moves with another channel's",
                                           "sa dépense évolue avec celle d'un autre canal"),
    "planning.reason.no_effect": ("no effect found: the fit ends at zero",
                                  "aucun effet trouvé : l'ajustement finit à zéro"),
    "planning.reason.at_bound": ("the fit ends on a limit of its response curve",
                                 "l'ajustement s'arrête sur une limite de sa courbe de réponse"),
    "planning.remedy.no_spend": ("spend on it", "y dépenser"),
    "planning.remedy.few_periods": ("more months with spend", "plus de mois avec dépense"),
    "planning.remedy.constant_spend": ("vary its spend between months or regions",
                                       "faire varier sa dépense entre mois ou régions"),
    "planning.remedy.confounded_season": ("spend against the season in some regions, or a geo experiment",
                                          "dépenser à contre-saison dans certaines régions, ou une expérience géo"),
    "planning.remedy.confounded_channel": ("flights apart from the other channel, or a geo experiment",
                                           "des vagues décalées de l'autre canal, ou une expérience géo"),
    "planning.remedy.no_effect": ("a geo experiment to bound its effect", "une expérience géo pour borner son effet"),
    "planning.remedy.at_bound": ("a geo experiment or a wider spend range",
                                 "une expérience géo ou une plage de dépense plus large"),
    "planning.remedy.uncertain": ("more months of varied spend, or a geo experiment",
                                  "plus de mois de dépense variée, ou une expérience géo"),
    "planning.contrib.title": ("Contributions per month", "Contributions par mois"),
    "planning.contrib.help": ("Baseline and channels add up to the model's fit; dots are the actual qualified "
                              "leads.",
                              "La base et les canaux s'additionnent pour donner l'ajustement du modèle ; les "
                              "points sont les leads qualifiés réels."),
    "planning.contrib.baseline": ("Baseline", "Base"),
    "planning.contrib.fitted": ("Model", "Modèle"),
    "planning.contrib.actual": ("Actual", "Réel"),
    "planning.curves.title": ("Response curves", "Courbes de réponse"),
    "planning.curves.help": ("Qualified leads per month for a steady monthly spend; the band is the 80% "
                             "interval, the shaded area the spend seen in the history and the dot the recent "
                             "spend.",
                             "Leads qualifiés par mois pour une dépense mensuelle constante ; la bande est "
                             "l'intervalle à 80 %, la zone grisée les dépenses vues dans l'historique et le "
                             "point la dépense récente."),
    "planning.curves.band": ("80% interval", "Intervalle à 80 %"),
    "planning.curves.current": ("Recent spend", "Dépense récente"),
    "planning.curves.spend": ("EUR per month", "EUR par mois"),
    "planning.curves.leads": ("Leads per month", "Leads par mois"),
    "planning.curves.hover": ("{spend}: {leads} leads", "{spend} : {leads} leads"),
    "planning.curves.unidentified": ("{channel} (not identified)", "{channel} (non identifié)"),
    # --- the scenario editor ---
    "planning.editor.title": ("Scenario: spend plan and predicted leads", "Scénario : plan média et leads prévus"),
    "planning.editor.help": ("Edit the monthly spend per channel (EUR), starting from the current media plan, or "
                             "upload a file. Cells outside the spend seen in the history are highlighted: the "
                             "model's answer there is an extrapolation.",
                             "Modifiez la dépense mensuelle par canal (EUR), à partir du plan média actuel, ou "
                             "importez un fichier. Les cellules hors des dépenses vues dans l'historique sont "
                             "surlignées : la réponse du modèle y est une extrapolation."),
    "planning.editor.help_read": ("The current media plan and the qualified leads the model expects from it.",
                                  "Le plan média actuel et les leads qualifiés que le modèle en attend."),
    "planning.editor.readonly": ("Read only: planners edit scenarios and run the optimiser.",
                                 "Lecture seule : les planificateurs modifient les scénarios et lancent "
                                 "l'optimiseur."),
    "planning.editor.reset": ("Back to the current plan", "Revenir au plan actuel"),
    "planning.editor.reset_done": ("The editor holds the current media plan again.",
                                   "L'éditeur contient de nouveau le plan média actuel."),
    "planning.editor.loaded": ("Scenario “{name}” loaded.", "Scénario « {name} » chargé."),
    "planning.editor.loaded_partly": ("Scenario “{name}” loaded; it did not cover {months}, which keep the "
                                      "current plan.",
                                      "Scénario « {name} » chargé ; il ne couvrait pas {months}, qui gardent le "
                                      "plan actuel."),
    "planning.editor.used": ("The optimiser's allocation is in the editor.",
                             "La répartition de l'optimiseur est dans l'éditeur."),
    "planning.upload.drop": ("Drop a plan file (CSV or XLSX) here, or", "Déposez un fichier de plan (CSV ou XLSX) "
                                                                         "ici, ou"),
    "planning.upload.pick": ("choose one", "choisissez-en un"),
    "planning.upload.help": ("Either one row per month and channel (columns month, channel, spend) or one row per "
                             "month with a column per channel. Months as 2026-11 or 11/2026; channels by code or "
                             "name. The file replaces the cells it holds.",
                             "Soit une ligne par mois et canal (colonnes mois, canal, dépense), soit une ligne "
                             "par mois avec une colonne par canal. Mois au format 2026-11 ou 11/2026 ; canaux "
                             "par code ou par nom. Le fichier remplace les cellules qu'il contient."),
    "planning.upload.done": ("{cells} cells read from {name}.", "{cells} cellules lues dans {name}."),
    "planning.upload.failed": ("{name} was not applied:", "{name} n'a pas été appliqué :"),
    "planning.upload.more": ("… and {count} more problems.", "… et {count} autres problèmes."),
    "planning.file.at_cell": ("Line {line}, column “{column}”: ", "Ligne {line}, colonne « {column} » : "),
    "planning.file.at_line": ("Line {line}: ", "Ligne {line} : "),
    "planning.file.unreadable": ("the file cannot be read as a table.",
                                 "le fichier ne peut pas être lu comme un tableau."),
    "planning.file.file_too_large": ("the file is larger than {value} MB.", "le fichier dépasse {value} Mo."),
    "planning.file.empty": ("the file has no rows.", "le fichier ne contient aucune ligne."),
    "planning.file.no_month": ("no month column (month, mois, date).", "aucune colonne de mois (mois, month, date)."),
    "planning.file.no_spend": ("a channel column but no spend column (spend, dépense, budget, montant).",
                               "une colonne de canal mais aucune colonne de dépense (dépense, spend, budget, "
                               "montant)."),
    "planning.file.no_channel": ("no channel column.", "aucune colonne de canal."),
    "planning.file.month": ("“{value}” is not a month (2026-11 or 11/2026).",
                            "« {value} » n'est pas un mois (2026-11 ou 11/2026)."),
    "planning.file.month_outside": ("{value} is not one of the plan's months.",
                                    "{value} n'est pas l'un des mois du plan."),
    "planning.file.channel": ("“{value}” is not a channel of this model.",
                              "« {value} » n'est pas un canal de ce modèle."),
    "planning.file.spend": ("“{value}” is not an amount in euros.", "« {value} » n'est pas un montant en euros."),
    "planning.file.negative": ("a spend cannot be negative ({value}).",
                               "une dépense ne peut pas être négative ({value})."),
    "planning.file.too_large": ("{value} is more than any media budget.", "{value} dépasse tout budget média."),
    "planning.file.duplicate": ("{value} is given twice.", "{value} est donné deux fois."),
    "planning.file.decimal_ambiguous": (
        "{value}: thousands or decimals? Write the amounts as 1234.50 or 1234,50, or 1 234,50.",
        "{value} : milliers ou décimales ? Écrivez les montants 1234,50, 1 234,50 ou 1234.50."),
    "planning.file.decimal_mixed": (
        "{value}: the column uses both a decimal point and a decimal comma; use one.",
        "{value} : la colonne mélange virgule et point décimaux ; n'en gardez qu'un."),
    # --- the prediction ---
    "planning.pred.title": ("Qualified leads per month", "Leads qualifiés par mois"),
    "planning.export.sheet": ("Prediction", "Prévision"),
    "planning.export.scope": ("scope", "perimetre"),
    "planning.export.month": ("month", "mois"),
    "planning.export.spend": ("spend EUR", "depense EUR"),
    "planning.export.leads": ("qualified leads", "leads qualifies"),
    "planning.export.lo80": ("low 80%", "bas 80 %"),
    "planning.export.hi80": ("high 80%", "haut 80 %"),
    "planning.export.lo95": ("low 95%", "bas 95 %"),
    "planning.export.hi95": ("high 95%", "haut 95 %"),
    "planning.export.current": ("current plan (forecast of record)", "plan actuel (prevision de reference)"),
    "planning.export.target": ("target", "objectif"),
    "planning.export.basis": ("basis", "base"),
    "planning.export.basis.record": ("forecast of record run {run} + response model", "prevision de reference "
                                                                                        "n° {run} + modele de "
                                                                                        "reponse"),
    "planning.export.basis.model": ("response model alone", "modele de reponse seul"),
    "planning.pred.scenario": ("This scenario", "Ce scénario"),
    "planning.pred.current": ("Current plan", "Plan actuel"),
    "planning.pred.target": ("Target", "Objectif"),
    "planning.pred.band80": ("80% interval", "Intervalle à 80 %"),
    "planning.pred.band95": ("95% interval", "Intervalle à 95 %"),
    "planning.pred.leads": ("Qualified leads", "Leads qualifiés"),
    "planning.pred.interval80": ("80% interval", "Intervalle à 80 %"),
    "planning.pred.interval95": ("95% interval", "Intervalle à 95 %"),
    "planning.pred.spend": ("Spend", "Dépense"),
    "planning.pred.cpl": ("Cost per qualified lead", "Coût par lead qualifié"),
    "planning.pred.vs_current": ("vs current plan", "vs plan actuel"),
    "planning.pred.vs_target": ("vs target", "vs objectif"),
    "planning.pred.none": ("–", "–"),
    "planning.summary.leads": ("Expected qualified leads", "Leads qualifiés attendus"),
    "planning.summary.spend": ("Total spend", "Dépense totale"),
    "planning.summary.cpl": ("Cost per qualified lead", "Coût par lead qualifié"),
    "planning.summary.vs_current": ("Against the current plan", "Par rapport au plan actuel"),
    "planning.summary.vs_target": ("Against the target", "Par rapport à l'objectif"),
    "planning.summary.delta": ("{leads} leads, {spend}", "{leads} leads, {spend}"),
    "planning.summary.no_target": ("no target for these months", "pas d'objectif pour ces mois"),
    "planning.summary.months": ("over {months} months ({first} – {last})", "sur {months} mois ({first} – {last})"),
    "planning.oor.title": ("Spend outside what the model has seen (its answer there is a guess):",
                           "Dépenses hors de ce que le modèle a vu (sa réponse y est une supposition) :"),
    "planning.oor.item": ("{month} · {channel}: {spend} (history {lo} – {hi})",
                          "{month} · {channel} : {spend} (historique {lo} – {hi})"),
    "planning.oor.more": ("… and {count} more cells.", "… et {count} autres cellules."),
    # --- saved scenarios ---
    "planning.scenarios.title": ("Saved scenarios", "Scénarios enregistrés"),
    "planning.scenarios.help": ("Your scenarios for this model; nobody else sees them.",
                                "Vos scénarios pour ce modèle ; personne d'autre ne les voit."),
    "planning.scenarios.name": ("Scenario name", "Nom du scénario"),
    "planning.scenarios.name_hint": ("e.g. Spring push on search", "ex. Poussée search au printemps"),
    "planning.scenarios.overwrite": ("Replace a scenario of the same name", "Remplacer un scénario du même nom"),
    "planning.scenarios.save": ("Save the editor's plan", "Enregistrer le plan de l'éditeur"),
    "planning.scenarios.saved": ("Your scenarios", "Vos scénarios"),
    "planning.scenarios.pick": ("Choose a scenario", "Choisissez un scénario"),
    "planning.scenarios.load": ("Load in the editor", "Charger dans l'éditeur"),
    "planning.scenarios.delete": ("Delete", "Supprimer"),
    "planning.scenarios.none": ("You have no saved scenario for this model yet.",
                                "Vous n'avez encore aucun scénario enregistré pour ce modèle."),
    "planning.scenarios.updated": ("Saved on", "Enregistré le"),
    "planning.scenarios.done_saved": ("Scenario “{name}” saved.", "Scénario « {name} » enregistré."),
    "planning.scenarios.done_replaced": ("Scenario “{name}” replaced.", "Scénario « {name} » remplacé."),
    "planning.scenarios.exists": ("You already have a scenario named “{name}”: tick “Replace a scenario of the "
                                  "same name” to overwrite it, or choose another name.",
                                  "Vous avez déjà un scénario nommé « {name} » : cochez « Remplacer un scénario du "
                                  "même nom » pour l'écraser, ou choisissez un autre nom."),
    "planning.scenarios.deleted": ("Scenario “{name}” deleted.", "Scénario « {name} » supprimé."),
    "planning.compare.title": ("Compare", "Comparer"),
    "planning.compare.help": ("Pick the current plan and saved scenarios to see them side by side.",
                              "Choisissez le plan actuel et des scénarios enregistrés pour les voir côte à côte."),
    "planning.compare.pick": ("Scenarios to compare", "Scénarios à comparer"),
    "planning.compare.need": ("Pick at least two.", "Choisissez-en au moins deux."),
    "planning.compare.scenario": ("Scenario", "Scénario"),
    "planning.compare.out_of_range": ("Cells outside the history", "Cellules hors historique"),
    # --- the optimiser ---
    "planning.opt.title": ("Budget optimiser", "Optimiseur de budget"),
    "planning.opt.help": ("The best spend per month, region and channel for a budget (all of it is allocated), or "
                          "the least spend that reaches a qualified-lead target over the plan months, within the "
                          "spend each channel had in each region. It runs in the background: you can cancel it. "
                          "Nothing is saved until you save it as a scenario.",
                          "La meilleure dépense par mois, région et canal pour un budget (entièrement réparti), ou "
                          "la plus petite dépense qui atteint un objectif de leads qualifiés sur les mois du plan, "
                          "dans les dépenses que chaque canal a connues dans chaque région. Le calcul tourne en "
                          "arrière-plan : vous pouvez l'annuler. Rien n'est enregistré tant que vous ne "
                          "l'enregistrez pas comme scénario."),
    "planning.opt.mode.budget": ("Most leads for a budget (EUR)", "Le plus de leads pour un budget (EUR)"),
    "planning.opt.mode.target": ("Least spend for a lead target", "La plus petite dépense pour un objectif de leads"),
    "planning.opt.amount": ("Budget (EUR) or target (qualified leads) over the plan",
                            "Budget (EUR) ou objectif (leads qualifiés) sur le plan"),
    "planning.opt.bounds": ("Per channel", "Par canal"),
    "planning.opt.bounds_help": ("Each channel stays, in every region and month, within the monthly spend its "
                                 "history saw there (min – max): the model has not seen more. To go beyond, widen "
                                 "it: ×1.5 allows up to 1.5 times the historical maximum, a minimum factor of 0 "
                                 "lets the channel stop. A channel the model cannot measure keeps the current plan "
                                 "unless you give it a factor (1 keeps it within its history). A locked channel "
                                 "keeps the current plan.",
                                 "Chaque canal reste, dans chaque région et chaque mois, dans la dépense mensuelle "
                                 "que son historique y a connue (min – max) : le modèle n'a pas vu davantage. Pour "
                                 "aller au-delà, élargissez-la : ×1,5 autorise jusqu'à 1,5 fois le maximum "
                                 "historique, un facteur de minimum de 0 permet d'arrêter le canal. Un canal que "
                                 "le modèle ne sait pas mesurer garde le plan actuel sauf si vous lui donnez un "
                                 "facteur (1 le garde dans son historique). Un canal verrouillé garde le plan "
                                 "actuel."),
    "planning.opt.widen": ("Max × history", "Max × historique"),
    "planning.opt.widen_min": ("Min × history", "Min × historique"),
    "planning.opt.locked": ("Locked", "Verrouillé"),
    "planning.opt.history": ("History / month", "Historique / mois"),
    "planning.opt.months": ("Per month (optional)", "Par mois (facultatif)"),
    "planning.opt.months_help": ("A budget cap for a month (EUR); blank: none.",
                                 "Un plafond de budget pour un mois (EUR) ; vide : aucun."),
    "planning.opt.budget": ("Budget cap", "Plafond"),
    "planning.opt.run": ("Run the optimiser", "Lancer l'optimiseur"),
    "planning.opt.use": ("Use as scenario", "Utiliser comme scénario"),
    "planning.opt.result": ("Expected {leads} qualified leads (80%: {lo} – {hi}) for {spend}, "
                            "found in {seconds} s.",
                            "{leads} leads qualifiés attendus (80 % : {lo} – {hi}) pour {spend}, "
                            "trouvé en {seconds} s."),
    "planning.opt.vs_current": ("Current plan: {leads} qualified leads for {spend}; the allocation brings {delta} "
                                "leads for {delta_spend}.",
                                "Plan actuel : {leads} leads qualifiés pour {spend} ; la répartition apporte "
                                "{delta} leads pour {delta_spend}."),
    "planning.opt.cancel": ("Cancel", "Annuler"),
    "planning.opt.step.bounds": ("Reading the historical ranges…", "Lecture des plages historiques…"),
    "planning.opt.step.greedy": ("Allocating by marginal return…", "Répartition au rendement marginal…"),
    "planning.opt.step.polish": ("Refining (SLSQP)…", "Affinage (SLSQP)…"),
    "planning.opt.step.simulate": ("Predicting the leads of the allocation…",
                                   "Prévision des leads de la répartition…"),
    "planning.opt.step.start": ("Starting…", "Démarrage…"),
    "planning.opt.cells": ("{cells} cells: {months} months × {regions} region(s) × {channels} channels.",
                           "{cells} cellules : {months} mois × {regions} région(s) × {channels} canaux."),
    "planning.opt.media": ("By the regions' response models, the media bring {leads} leads against {current} with "
                           "the current plan.",
                           "Selon les modèles de réponse des régions, les médias apportent {leads} leads contre "
                           "{current} avec le plan actuel."),
    "planning.opt.within": ("Every channel stays within the spend its history saw in each region and month.",
                            "Chaque canal reste dans la dépense que son historique a connue dans chaque région et "
                            "chaque mois."),
    "planning.opt.extrapolation": ("Extrapolation: you widened a range, and the allocation spends outside what the "
                                   "model has seen. Its figures there are the model's curves extended, not "
                                   "evidence:",
                                   "Extrapolation : vous avez élargi une plage et la répartition dépense hors de ce "
                                   "que le modèle a vu. Ses chiffres y prolongent les courbes du modèle, ce ne sont "
                                   "pas des constats :"),
    "planning.opt.extrapolation_item": ("{channel}: {cells} cells in {regions} region(s), {beyond} beyond the "
                                        "history (up to {ratio} × its maximum)",
                                        "{channel} : {cells} cellules dans {regions} région(s), {beyond} hors "
                                        "historique (jusqu'à {ratio} × son maximum)"),
    "planning.opt.widened_inside": ("You widened a range, but the allocation stays within the history.",
                                    "Vous avez élargi une plage, mais la répartition reste dans l'historique."),
    "planning.opt.regions": ("Spend by region over the plan", "Dépense par région sur le plan"),
    "planning.opt.region": ("Region", "Région"),
    "planning.opt.binding": ("Constraints it sits on, by channel:", "Contraintes atteintes, par canal :"),
    "planning.opt.binding_none": ("No constraint binds.", "Aucune contrainte n'est atteinte."),
    "planning.bind.budget": ("the total budget ({value})", "le budget total ({value})"),
    "planning.bind.period_budget": ("the budget cap of {count} month(s): {months}",
                                    "le plafond de {count} mois : {months}"),
    "planning.bind.target": ("the lead target ({value})", "l'objectif de leads ({value})"),
    # sharing saved scenarios
    "planning.share.title": ("Share this scenario", "Partager ce scénario"),
    "planning.share.help": ("Pick a saved scenario above, then the colleagues or roles who may read it (they "
                            "cannot change it).",
                            "Choisissez un scénario enregistré ci-dessus, puis les collègues ou les rôles qui "
                            "pourront le consulter (sans le modifier)."),
    "planning.share.users": ("Colleagues", "Collègues"),
    "planning.share.roles": ("Every user of a role", "Tous les utilisateurs d'un rôle"),
    "planning.share.button": ("Share", "Partager"),
    "planning.share.pick": ("A share to take back", "Un partage à retirer"),
    "planning.share.remove": ("Unshare", "Retirer le partage"),
    "planning.share.done": ("Shared ({count} new).", "Partagé ({count} nouveau(x))."),
    "planning.share.removed": ("The share was taken back.", "Le partage a été retiré."),
    "planning.share.none": ("This scenario is not shared.", "Ce scénario n'est pas partagé."),
    "planning.share.everyone": ("Every {role}", "Tous les utilisateurs « {role} »"),
    "planning.shared.title": ("Scenarios shared with me", "Scénarios partagés avec moi"),
    "planning.shared.help": ("Scenarios that planners shared with you or your role, read only.",
                             "Les scénarios que des planificateurs ont partagés avec vous ou votre rôle, en "
                             "lecture seule."),
    "planning.shared.pick": ("Pick a shared scenario", "Choisissez un scénario partagé"),
    "planning.shared.open": ("Open", "Ouvrir"),
    "planning.shared.none": ("Nothing has been shared with you.", "Rien n'a été partagé avec vous."),
    "planning.shared.owner": ("Shared by", "Partagé par"),
    "planning.shared.access": ("Your access", "Votre accès"),
    "planning.shared.readable": ("read only", "lecture seule"),
    "planning.shared.outside": ("outside your scope", "hors de votre périmètre"),
    "planning.shared.heading": ("“{name}” by {owner} · {scope}", "« {name} » de {owner} · {scope}"),
    "planning.shared.readonly": ("Read only: this scenario belongs to its author; its prediction is computed on "
                                 "today's model and current plan.",
                                 "Lecture seule : ce scénario appartient à son auteur ; sa prévision est calculée "
                                 "sur le modèle et le plan actuels."),
    "planning.shared.missing": ("Months the scenario did not hold, taken from the current plan: {months}.",
                                "Mois absents du scénario, repris du plan actuel : {months}."),
    "planning.error.share_none": ("Pick at least one colleague or role.",
                                  "Choisissez au moins un collègue ou un rôle."),
    "planning.error.share_targets": ("A scenario can only be shared with active users and roles of the planning "
                                     "page.",
                                     "Un scénario ne peut être partagé qu'avec des utilisateurs actifs et des "
                                     "rôles de la page de planification."),
    "planning.error.share_pick": ("Pick the share to take back.", "Choisissez le partage à retirer."),
    "planning.error.shared_national": ("This scenario is for the whole company: its figures mix in regions outside "
                                       "your access, so they are not shown. Ask its author for a scenario of your "
                                       "region.",
                                       "Ce scénario porte sur toute l'entreprise : ses chiffres incluent des régions "
                                       "hors de votre accès, ils ne sont donc pas affichés. Demandez à son auteur un "
                                       "scénario de votre région."),
    "planning.error.shared_outside": ("This scenario is for a region outside your access: its figures are not "
                                      "shown.",
                                      "Ce scénario porte sur une région hors de votre accès : ses chiffres ne sont "
                                      "pas affichés."),
    "planning.bind.max": ("{channel}: at its historical maximum in {cells} of {of} cells ({regions} region(s), "
                          "{value})",
                          "{channel} : à son maximum historique dans {cells} cellules sur {of} ({regions} "
                          "région(s), {value})"),
    "planning.bind.max_widened": ("{channel}: at its widened maximum in {cells} of {of} cells ({regions} region(s), "
                                  "{value})",
                                  "{channel} : à son maximum élargi dans {cells} cellules sur {of} ({regions} "
                                  "région(s), {value})"),
    "planning.bind.min": ("{channel}: at its historical minimum in {cells} of {of} cells ({regions} region(s), "
                          "{value})",
                          "{channel} : à son minimum historique dans {cells} cellules sur {of} ({regions} "
                          "région(s), {value})"),
    "planning.bind.min_widened": ("{channel}: at its lowered minimum in {cells} of {of} cells ({regions} "
                                  "region(s), {value})",
                                  "{channel} : à son minimum abaissé dans {cells} cellules sur {of} ({regions} "
                                  "région(s), {value})"),
    "planning.bind.locked": ("{channel}: locked at the current plan ({cells} cells)",
                             "{channel} : verrouillé au plan actuel ({cells} cellules)"),
    "planning.bind.held": ("{channel}: kept at the current plan ({cells} cells): the model cannot tell its effect; "
                           "give it a factor to let the optimiser move it",
                           "{channel} : maintenu au plan actuel ({cells} cellules) : le modèle ne sait pas mesurer "
                           "son effet ; donnez-lui un facteur pour que l'optimiseur le modifie"),
    "planning.exp.title": ("Experiments: where the model and the lift tests agree",
                           "Expériences : où le modèle et les tests de lift concordent"),
    "planning.exp.help": ("Each lift test (a geo holdout, an on/off test) measured the leads a channel brought in "
                          "some regions over a period. Beside it, the model's contribution for the same channel, "
                          "regions and days. Both with their 80 % interval; they agree when the intervals overlap. "
                          "The model is calibrated on these tests (a prior on its lift).",
                          "Chaque test de lift (un geo-holdout, un test marche/arrêt) a mesuré les leads qu'un canal "
                          "a apportés dans des régions sur une période. À côté, la contribution du modèle pour le "
                          "même canal, les mêmes régions et les mêmes jours. Les deux avec leur intervalle à 80 % ; "
                          "ils concordent quand les intervalles se recouvrent. Le modèle est calibré sur ces tests "
                          "(un a priori sur son effet)."),
    "planning.exp.none": ("No lift test in your regions for this model. Load one with the experiments format "
                          "(see the README).",
                          "Aucun test de lift dans vos régions pour ce modèle. Chargez-en au format experiments "
                          "(voir le README)."),
    "planning.exp.regions": ("Regions", "Régions"),
    "planning.exp.everywhere": ("Whole country", "Tout le pays"),
    "planning.exp.period": ("Period", "Période"),
    "planning.exp.measured": ("Measured lift (leads)", "Effet mesuré (leads)"),
    "planning.exp.model": ("Model's lift (leads)", "Effet selon le modèle (leads)"),
    "planning.exp.status": ("Agreement", "Concordance"),
    "planning.exp.agrees": ("agrees", "concorde"),
    "planning.exp.disagrees": ("disagrees", "diverge"),
}
