"""Labelled pairs of needs for the duplicate check: the same need told twice (often once in French,
once in English), and different needs that share words. Used by tests/core/test_similarity.py and by
``make bench`` to report precision and recall at the threshold in ``domain.similarity``.

A need here is (title, problem, department). Each pair is checked both ways: filing the first, is
the second shown; filing the second, is the first?
"""

from __future__ import annotations

from dataclasses import dataclass

from pmobot.domain.similarity import THRESHOLD, TOP, Index, document

Need = tuple[str, str, str]


@dataclass(frozen=True)
class Quality:
    true_positives: int
    false_positives: int
    false_negatives: int
    missed: tuple[str, ...]
    wrong: tuple[str, ...]

    @property
    def precision(self) -> float:
        found = self.true_positives + self.false_positives
        return self.true_positives / found if found else 1.0

    @property
    def recall(self) -> float:
        wanted = self.true_positives + self.false_negatives
        return self.true_positives / wanted if wanted else 1.0


SAME: tuple[tuple[Need, Need], ...] = (
    (("Suivi des contrats fournisseurs", "Les contrats fournisseurs sont dans des fichiers Excel et nous ratons les "
      "échéances de renouvellement.", "purchasing"),
     ("Supplier contract tracker", "Vendor contracts live in spreadsheets and we miss renewal deadlines.",
      "purchasing")),
    (("Outil de gestion des notes de frais", "Les notes de frais sont saisies sur papier puis ressaisies par la "
      "comptabilité.", "finance"),
     ("Expense report tool", "Expense reports are filled in on paper and retyped by accounting.", "finance")),
    (("Demandes de congés en ligne", "Les salariés demandent leurs congés par courriel au manager.", "hr"),
     ("Online leave requests", "Employees ask their manager for vacation by email.", "hr")),
    (("Tableau de bord des ventes", "Les commerciaux n'ont pas d'indicateurs à jour sur leurs ventes.", "sales"),
     ("Sales dashboard", "Sales reps have no up-to-date KPI on their sales pipeline.", "sales")),
    (("Réservation des salles de réunion", "Les salles de réunion sont réservées sur un tableau papier.",
      "operations"),
     ("Meeting room booking", "Meeting rooms are booked on a paper sheet at reception.", "operations")),
    (("Dématérialisation des factures fournisseurs", "Les factures fournisseurs arrivent par courrier et sont "
      "scannées à la main.", "finance"),
     ("Paperless supplier invoices", "Supplier invoices arrive by post and are scanned manually.", "finance")),
    (("Suivi des tickets du service client", "Les réclamations clients arrivent dans une boîte mail partagée.",
      "customer_service"),
     ("Customer service ticket tracking", "Customer complaints land in a shared mailbox nobody owns.",
      "customer_service")),
    (("Planning des interventions de maintenance", "Les techniciens reçoivent leur planning d'interventions par "
      "téléphone.", "operations"),
     ("Maintenance scheduling", "Technicians get their maintenance schedule by phone every morning.",
      "operations")),
    (("Gestion des stocks de l'entrepôt", "L'inventaire de l'entrepôt est tenu dans un tableur.", "operations"),
     ("Warehouse inventory management", "The warehouse stock is kept in a spreadsheet.", "operations")),
    (("Circuit de validation des bons de commande", "Les bons de commande sont validés par courriel, sans trace.",
      "purchasing"),
     ("Purchase order approval workflow", "Purchase orders are approved by email with no audit trail.",
      "purchasing")),
    (("Recrutement : suivi des candidatures", "Les candidatures arrivent par mail et sont suivies dans Excel.", "hr"),
     ("Applicant tracking for recruitment", "Job applications come by email and are tracked in Excel.", "hr")),
    (("Rapprochement bancaire automatique", "Le rapprochement bancaire est fait à la main chaque mois.", "finance"),
     ("Automated bank reconciliation", "Bank reconciliation is done by hand every month.", "finance")),
    (("Catalogue produits en ligne pour les commerciaux", "Les commerciaux utilisent un catalogue PDF périmé.",
      "sales"),
     ("Online product catalog for sales", "Sales use an outdated PDF product catalogue.", "sales")),
    (("Gestion de la flotte de véhicules", "L'entretien des véhicules de la flotte est suivi sur papier.",
      "operations"),
     ("Fleet management", "Vehicle maintenance for the car fleet is tracked on paper.", "operations")),
    (("Formulaire de devis en ligne", "Les clients demandent un devis par téléphone.", "sales"),
     ("Online quote request form", "Customers call us to get a quotation.", "sales")),
    (("Alertes d'échéance des contrats", "Nous oublions de résilier les contrats avant leur reconduction.", "legal"),
     ("Contract expiry alerts", "We forget to terminate contracts before they renew.", "legal")),
    (("Feuilles de temps des consultants", "Les consultants déclarent leur temps passé dans un classeur partagé.",
      "operations"),
     ("Consultant timesheets", "Consultants log their time in a shared workbook.", "operations")),
    (("Portail fournisseurs", "Les fournisseurs nous envoient leurs documents par mail.", "purchasing"),
     ("Supplier portal", "Vendors send us their documents by email.", "purchasing")),
    (("Gestion des habilitations et des accès", "Les droits d'accès aux applications sont donnés sans validation.",
      "other"),
     ("Access rights management", "Application access permissions are granted without approval.", "other")),
    (("Signature électronique des contrats", "Les contrats clients sont imprimés, signés et scannés.", "legal"),
     ("Electronic signature for contracts", "Customer contracts are printed, signed and scanned.", "legal")),
    (("Prévisions de ventes", "Les prévisions de ventes sont consolidées à la main dans Excel.", "sales"),
     ("Sales forecasting", "Sales forecasts are consolidated by hand in spreadsheets.", "sales")),
    (("Enquête de satisfaction client", "Nous n'avons aucun retour structuré de nos clients.", "marketing"),
     ("Customer satisfaction survey", "We have no structured feedback from customers.", "marketing")),
    (("Outil de suivi des contrats", "Suivre les contrats et leurs échéances.", "legal"),
     ("Suivi des contrats et échéances", "Un outil pour suivre nos contrats et ne plus rater les échéances.",
      "legal")),
    (("Expense claims app", "Staff expenses are submitted on paper forms.", "finance"),
     ("Application de notes de frais", "Les frais des salariés sont déclarés sur des formulaires papier.",
      "finance")),
)

DIFFERENT: tuple[tuple[Need, Need], ...] = (
    (SAME[0][0], SAME[2][1]),
    (SAME[1][0], SAME[3][1]),
    (("Outil de suivi des congés", "Les congés sont suivis dans un tableur.", "hr"),
     ("Supplier contract tracker", "Vendor contracts live in spreadsheets and we miss renewal deadlines.",
      "purchasing")),
    (("Sales dashboard", "Sales reps have no up-to-date KPI on their sales pipeline.", "sales"),
     ("Tableau de bord énergie", "Suivre la consommation d'énergie des sites.", "operations")),
    (("Réservation des salles de réunion", "Les salles de réunion sont réservées sur un tableau papier.",
      "operations"),
     ("Travel booking", "Employees book their train and hotel trips themselves.", "hr")),
    (("Dématérialisation des factures fournisseurs", "Les factures fournisseurs arrivent par courrier.", "finance"),
     ("Customer invoicing portal", "Customers want to download their own invoices and pay online.", "sales")),
    (("Gestion des stocks de l'entrepôt", "L'inventaire de l'entrepôt est tenu dans un tableur.", "operations"),
     ("Gestion des mots de passe", "Les mots de passe sont partagés dans un fichier.", "other")),
    (("Recrutement : suivi des candidatures", "Les candidatures arrivent par mail.", "hr"),
     ("Formation des nouveaux arrivants", "Les nouveaux salariés n'ont pas de parcours de formation.", "hr")),
    (("Maintenance scheduling", "Technicians get their maintenance schedule by phone.", "operations"),
     ("Planning des campagnes marketing", "Les campagnes sont planifiées dans un calendrier partagé.", "marketing")),
    (("Rapprochement bancaire automatique", "Le rapprochement bancaire est fait à la main.", "finance"),
     ("Traduction automatique des fiches produits", "Les fiches produits sont traduites à la main.", "marketing")),
    (("Online product catalog for sales", "Sales use an outdated PDF product catalogue.", "sales"),
     ("Price list for purchasing", "Buyers compare supplier prices by phone.", "purchasing")),
    (("Fleet management", "Vehicle maintenance is tracked on paper.", "operations"),
     ("Gestion des archives juridiques", "Les dossiers de contentieux sont archivés dans des cartons.", "legal")),
    (("Online quote request form", "Customers call us to get a quotation.", "sales"),
     ("Formulaire d'accueil des visiteurs", "Les visiteurs signent un registre papier à l'accueil.", "operations")),
    (("Contract expiry alerts", "We forget to terminate contracts before they renew.", "legal"),
     ("Alertes de rupture de stock", "Nous découvrons les ruptures de stock trop tard.", "operations")),
    (("Consultant timesheets", "Consultants log their time in a shared workbook.", "operations"),
     ("Payroll export", "Payslips are produced by an external provider from a file we send.", "hr")),
    (("Supplier portal", "Vendors send us their documents by email.", "purchasing"),
     ("Intranet des salariés", "Les actualités internes sont envoyées par courriel.", "hr")),
    (("Access rights management", "Application access permissions are granted without approval.", "other"),
     ("Gestion des congés", "Les demandes de congés sont validées par courriel.", "hr")),
    (("Electronic signature for contracts", "Customer contracts are printed, signed and scanned.", "legal"),
     ("Numérisation des dossiers du personnel", "Les dossiers des salariés sont sur papier.", "hr")),
    (("Sales forecasting", "Sales forecasts are consolidated by hand in spreadsheets.", "sales"),
     ("Prévisions de trésorerie", "La trésorerie est prévue dans un tableur par la finance.", "finance")),
    (("Customer satisfaction survey", "We have no structured feedback from customers.", "marketing"),
     ("Sondage interne sur le télétravail", "Connaître l'avis des salariés sur le télétravail.", "hr")),
    (("Application mobile pour les techniciens", "Les techniciens remplissent des bons papier.", "operations"),
     ("Mobile app for customers", "Customers want to follow their orders on their phone.", "sales")),
    (("Chatbot RH", "Répondre aux questions fréquentes des salariés sur la paie.", "hr"),
     ("Chatbot for website visitors", "Answer prospects' questions on the public website.", "marketing")),
    (("Synchronisation CRM et ERP", "Les clients sont saisis deux fois, dans le CRM et l'ERP.", "sales"),
     ("Migration de la messagerie", "Passer la messagerie vers un nouveau fournisseur.", "other")),
    (("Gestion des accès aux locaux", "Les badges sont gérés dans un cahier.", "operations"),
     ("Gestion des accès aux applications", "Les comptes des applications ne sont jamais fermés au départ.",
      "other")),
)


def quality(threshold: float = THRESHOLD) -> Quality:
    """Every labelled need in one index; each pair checked both ways, among the TOP shown above ``threshold``."""
    everyone: list[Need] = []
    for a, b in (*SAME, *DIFFERENT):
        for need in (a, b):
            if need not in everyone:
                everyone.append(need)
    index = Index()
    for number, need in enumerate(everyone):
        index.add(number, document(*need))
    tp = fp = fn = 0
    missed: list[str] = []
    wrong: list[str] = []
    for same, pairs in ((True, SAME), (False, DIFFERENT)):
        for a, b in pairs:
            for mine, theirs in ((a, b), (b, a)):
                me, them = everyone.index(mine), everyone.index(theirs)
                shown = {m.need_id for m in index.search(document(*mine), limit=TOP, threshold=threshold,
                                                         exclude=(me,))}
                if same and them in shown:
                    tp += 1
                elif same:
                    fn += 1
                    missed.append(f"{mine[0]} → {theirs[0]}")
                elif them in shown:
                    fp += 1
                    wrong.append(f"{mine[0]} → {theirs[0]}")
    return Quality(tp, fp, fn, tuple(missed), tuple(wrong))
