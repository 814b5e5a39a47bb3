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
    "planning.export.csv": ("CSV", "CSV"),
    "planning.export.xlsx": ("Excel", "Excel"),
    "planning.export.sheet": ("Prediction", "Prévision"),
    "planning.export.filename": ("media-plan-prediction", "prevision-plan-media"),
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
    "planning.opt.help": ("The best spend per month and channel for a budget, or the least spend that reaches a "
                          "qualified-lead target over the plan months. The optimiser only computes: nothing is "
                          "saved until you save it as a scenario.",
                          "La meilleure dépense par mois et canal pour un budget, ou la plus petite dépense qui "
                          "atteint un objectif de leads qualifiés sur les mois du plan. L'optimiseur ne fait "
                          "que calculer : rien n'est enregistré tant que vous ne l'enregistrez pas comme "
                          "scénario."),
    "planning.opt.mode.budget": ("Most leads for a budget (EUR)", "Le plus de leads pour un budget (EUR)"),
    "planning.opt.mode.target": ("Least spend for a lead target", "La plus petite dépense pour un objectif de leads"),
    "planning.opt.amount": ("Budget (EUR) or target (qualified leads) over the plan",
                            "Budget (EUR) ou objectif (leads qualifiés) sur le plan"),
    "planning.opt.bounds": ("Per channel", "Par canal"),
    "planning.opt.bounds_help": ("Monthly minimum and maximum (EUR, blank: no minimum, and up to three times the "
                                 "highest monthly spend of the history); a locked channel keeps the current plan.",
                                 "Minimum et maximum mensuels (EUR ; vide : pas de minimum, et jusqu'à trois fois "
                                 "la plus forte dépense mensuelle de l'historique) ; un canal verrouillé garde le "
                                 "plan actuel."),
    "planning.opt.min": ("Min / month", "Min / mois"),
    "planning.opt.max": ("Max / month", "Max / mois"),
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
    "planning.opt.binding": ("Constraints it sits on:", "Contraintes atteintes :"),
    "planning.opt.binding_none": ("No constraint binds.", "Aucune contrainte n'est atteinte."),
    "planning.opt.binding_more": ("… and {count} more.", "… et {count} autres."),
    "planning.bind.budget": ("the total budget ({value})", "le budget total ({value})"),
    "planning.bind.period_budget": ("the budget of {month} ({value})", "le budget de {month} ({value})"),
    "planning.bind.min": ("the minimum of {channel} in {month} ({value})",
                          "le minimum de {channel} en {month} ({value})"),
    "planning.bind.max": ("the maximum of {channel} in {month} ({value})",
                          "le maximum de {channel} en {month} ({value})"),
    "planning.bind.locked": ("{channel} locked in {month} ({value})", "{channel} verrouillé en {month} ({value})"),
    "planning.bind.held": ("{channel} kept at the current plan in {month} ({value}): the model cannot tell its "
                           "effect; set a maximum to let the optimiser move it",
                           "{channel} maintenu au plan actuel en {month} ({value}) : le modèle ne sait pas mesurer "
                           "son effet ; fixez un maximum pour que l'optimiseur le modifie"),
    "planning.bind.target": ("the lead target ({value})", "l'objectif de leads ({value})"),
}
