"""A small French ↔ English lexicon of business-IT words, for finding the same need told in either language.

Each concept lists the words (French and English, accents optional) that
name it; ``similarity`` reduces each of them to the same stem as a typed word
and maps it to the concept, so "suivi des contrats fournisseurs" and
"supplier contract tracking" share three concepts. The first French and the
first English word are what a person is shown. Phrases (``PHRASES``) are
joined before words are split: "note de frais" is one concept, not three
words. Pure data: kept short and common on purpose; the character n-grams
in ``similarity`` catch the many words that are alike in both languages.
"""

from __future__ import annotations

# concept -> (French words, English words); the first of each is shown.
CONCEPTS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "contract": (("contrat", "contractuel"), ("contract", "agreement")),
    "supplier": (("fournisseur", "prestataire", "sous-traitant"), ("supplier", "vendor", "provider", "subcontractor")),
    "tracking": (("suivi", "suivre", "pilotage", "piloter"), ("tracking", "track", "tracker", "monitoring", "monitor",
                                                              "follow-up")),
    "tool": (("outil", "logiciel", "application", "appli", "solution"), ("tool", "software", "app", "application",
                                                                         "solution")),
    "invoice": (("facture", "facturation", "facturer"), ("invoice", "invoicing", "billing", "bill")),
    "customer": (("client", "clientele"), ("customer", "client")),
    "employee": (("salarie", "employe", "collaborateur", "personnel"), ("employee", "staff", "worker")),
    "leave": (("conge", "absence", "vacances"), ("leave", "vacation", "holiday", "absence", "time-off")),
    "expense": (("frais", "depense", "note_de_frais"), ("expense", "spending", "expense_report")),
    "report": (("rapport", "reporting", "compte-rendu"), ("report", "reporting")),
    "dashboard": (("tableau_de_bord", "indicateur", "kpi"), ("dashboard", "indicator", "kpi", "metric")),
    "purchase": (("achat", "acheter", "approvisionnement"), ("purchase", "purchasing", "procurement", "buy")),
    "order": (("commande", "bon_de_commande", "commander"), ("order", "purchase_order")),
    "request": (("demande", "requete"), ("request",)),
    "approval": (("validation", "valider", "approbation", "approuver"), ("approval", "approve", "validation",
                                                                          "validate", "sign-off")),
    "workflow": (("circuit", "workflow", "processus"), ("workflow", "process")),
    "signature": (("signature", "signer"), ("signature", "sign", "e-signature")),
    "renewal": (("renouvellement", "renouveler", "reconduction"), ("renewal", "renew")),
    "deadline": (("echeance", "expiration", "delai"), ("deadline", "expiry", "expiration", "due_date")),
    "alert": (("alerte", "rappel", "relance", "notification", "notifier"), ("alert", "reminder", "remind",
                                                                             "notification", "notify")),
    "payment": (("paiement", "payer", "reglement"), ("payment", "pay")),
    "sale": (("vente", "commercial", "vendre"), ("sale", "sales", "sell", "selling")),
    "campaign": (("campagne", "emailing"), ("campaign", "mailing")),
    "training": (("formation", "former"), ("training", "train", "course")),
    "recruitment": (("recrutement", "recruter", "candidat", "candidature"), ("recruitment", "recruiting", "hiring",
                                                                              "hire", "candidate", "applicant")),
    "onboarding": (("accueil", "arrivee", "onboarding"), ("onboarding", "induction")),
    "inventory": (("stock", "inventaire"), ("stock", "inventory")),
    "warehouse": (("entrepot", "magasin"), ("warehouse", "storehouse")),
    "delivery": (("livraison", "livrer", "expedition", "expedier"), ("delivery", "deliver", "shipping", "shipment",
                                                                      "ship")),
    "incident": (("incident", "panne", "ticket"), ("incident", "outage", "ticket", "issue")),
    "data": (("donnee", "base_de_donnees", "fichier"), ("data", "database", "file")),
    "management": (("gestion", "gerer"), ("management", "manage", "managing", "handling")),
    "automation": (("automatisation", "automatiser", "automatique"), ("automation", "automate", "automatic",
                                                                       "automated")),
    "spreadsheet": (("tableur", "excel", "classeur"), ("spreadsheet", "excel", "workbook")),
    "email": (("courriel", "mail", "email", "messagerie"), ("email", "mail", "e-mail", "mailbox")),
    "website": (("site", "portail", "intranet", "extranet"), ("website", "site", "portal", "intranet", "web")),
    "calendar": (("planning", "calendrier", "agenda", "planification"), ("schedule", "calendar", "planning",
                                                                           "scheduling", "rota")),
    "meeting": (("reunion", "rendez-vous"), ("meeting", "appointment")),
    "room": (("salle", "bureau"), ("room", "desk", "office")),
    "booking": (("reservation", "reserver"), ("booking", "book", "reservation", "reserve")),
    "travel": (("deplacement", "voyage", "mission"), ("travel", "trip", "journey")),
    "payroll": (("paie", "salaire", "remuneration"), ("payroll", "salary", "pay_slip", "wage")),
    "timesheet": (("feuille_de_temps", "pointage", "temps_passe"), ("timesheet", "time_tracking", "clocking")),
    "quote": (("devis", "cotation", "chiffrage"), ("quote", "quotation")),
    "archive": (("archivage", "archiver", "archive"), ("archive", "archiving", "record_keeping")),
    "search": (("recherche", "rechercher", "chercher"), ("search", "find", "lookup")),
    "legal": (("juridique", "contentieux", "litige"), ("legal", "litigation", "dispute")),
    "compliance": (("conformite", "rgpd", "reglementaire"), ("compliance", "gdpr", "regulatory")),
    "security": (("securite", "securise"), ("security", "secure")),
    "access": (("acces", "droit", "habilitation", "permission"), ("access", "permission", "entitlement")),
    "password": (("mot_de_passe",), ("password",)),
    "form": (("formulaire",), ("form",)),
    "survey": (("enquete", "sondage", "questionnaire"), ("survey", "poll", "questionnaire")),
    "complaint": (("reclamation", "plainte"), ("complaint", "claim")),
    "product": (("produit", "article"), ("product", "item")),
    "catalog": (("catalogue",), ("catalog", "catalogue")),
    "price": (("prix", "tarif", "tarification"), ("price", "pricing", "rate")),
    "forecast": (("prevision", "prevoir", "budgetaire"), ("forecast", "forecasting", "projection")),
    "accounting": (("comptabilite", "comptable", "ecriture"), ("accounting", "bookkeeping", "ledger", "accountant")),
    "bank": (("banque", "bancaire"), ("bank", "banking")),
    "reconciliation": (("rapprochement", "lettrage"), ("reconciliation", "reconcile", "matching")),
    "maintenance": (("maintenance", "entretien", "intervention"), ("maintenance", "repair", "servicing")),
    "vehicle": (("vehicule", "flotte", "voiture"), ("vehicle", "fleet", "car")),
    "project": (("projet",), ("project",)),
    "task": (("tache", "action"), ("task", "action", "to-do")),
    "team": (("equipe",), ("team",)),
    "share": (("partage", "partager", "collaboratif"), ("share", "sharing", "collaborative")),
    "synchronisation": (("synchronisation", "synchroniser", "interface", "connecteur"),
                        ("synchronisation", "sync", "synchronize", "interface", "connector", "integration")),
    "manual": (("manuel", "manuellement", "ressaisie", "ressaisir"), ("manual", "manually", "retyping", "re-enter")),
    "paper": (("papier", "dematerialisation", "numerisation"), ("paper", "paperless", "scan", "digitisation")),
    "mobile": (("mobile", "smartphone", "tablette"), ("mobile", "phone", "smartphone", "tablet")),
    "chat": (("chatbot", "messagerie_instantanee"), ("chatbot", "instant_messaging")),
    "translation": (("traduction", "traduire"), ("translation", "translate")),
    "energy": (("energie", "consommation"), ("energy", "consumption")),
    "online": (("en_ligne", "internet"), ("online", "internet")),
}

# Concepts that say how a need is met or handled today more than what it is about ("a tool",
# "by e-mail", "in a spreadsheet"): they count half as much as the others.
GENERIC = frozenset({"tool", "management", "tracking", "spreadsheet", "email", "paper", "manual", "automation",
                     "data", "request", "share", "online", "website", "mobile", "team", "project", "task"})

# Phrases made one word before splitting (written folded: no accents, lower case).
PHRASES: dict[str, str] = {
    "note de frais": "note_de_frais", "notes de frais": "note_de_frais",
    "tableau de bord": "tableau_de_bord", "tableaux de bord": "tableau_de_bord",
    "base de donnees": "base_de_donnees", "bases de donnees": "base_de_donnees",
    "bon de commande": "bon_de_commande", "bons de commande": "bon_de_commande",
    "mot de passe": "mot_de_passe", "mots de passe": "mot_de_passe",
    "feuille de temps": "feuille_de_temps", "feuilles de temps": "feuille_de_temps",
    "temps passe": "temps_passe", "messagerie instantanee": "messagerie_instantanee",
    "expense report": "expense_report", "expense reports": "expense_report",
    "purchase order": "purchase_order", "purchase orders": "purchase_order",
    "en ligne": "en_ligne", "due date": "due_date", "due dates": "due_date",
    "pay slip": "pay_slip", "pay slips": "pay_slip",
    "time tracking": "time_tracking", "record keeping": "record_keeping", "instant messaging": "instant_messaging",
    "time off": "time-off", "follow up": "follow-up", "sign off": "sign-off", "to do": "to-do",
}

# Words that say nothing about what a need is, in either language (written folded).
_STOPWORDS = """
a an and are as at be been but by can could do does for from had has have how i if in into is it its
me more my no not of on or our out over so some such than that the their them then there these they this
to too up us was we were what when where which while who why will with would you your all any each every
very just also only need needs want wants would like new today currently now people person users user use
using get getting make making many much lot lots one two three day days week weeks month months year years
via per within without about across other others same still based help better easier easily faster quickly
au aux avec ce ces cet cette dans de des du elle elles en et est etre eux il ils je la le les leur leurs
lui ma mais me meme mes moi mon ne nos notre nous on ou par pas pour qu que qui sa se ses son sur ta te
tes toi ton tu un une vos votre vous y a ete sont ont avoir fait faire faut plus tres tout tous toute
toutes chaque aussi ainsi donc alors comme quand sans sous entre vers chez afin car besoin besoins
nouveau nouvelle nouveaux nouvelles aujourd hui actuellement maintenant personne personnes utilisateur
utilisateurs utiliser jour jours semaine semaines mois an ans annee annees beaucoup peu autre autres
main permettre permet pouvoir peut peuvent doit doivent avons avez sommes etes mieux rapidement facilement
"""
STOPWORDS = frozenset(_STOPWORDS.split())
