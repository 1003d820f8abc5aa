"""The request around the thing needed, in both languages: what goes before the title.

"Est-ce que la DSI pourrait nous développer", "Besoin d'", "could IT build us", "we're after", "Demande
pour la boutique en ligne :", "What would it take to get": the need starts where its request ends. Each
frame is one alternation whose order matters (the longer frame first); ``title`` cuts the thing after it.
Kept apart from ``title``, whose rules they were most of.
"""

from __future__ import annotations

import re

# What makes a thing welcome ("il serait utile d'avoir", "it would be great to have").
FR_WELCOME = (
    r"(?:utile|bien|bon|top|super|ideal|pratique|souhaitable|pertinent|interessant|judicieux|necessaire|precieux)"
)
_EN_WELCOME = r"(?:great|nice|good|useful|helpful|awesome|handy|ideal|valuable|brilliant|fantastic)"
# An amount, whose decimal point ends no sentence: "45 000 €", "£1.5M", "15 k€".
_AMOUNT_SPAN = r"(?:[^.;:!?]|(?<=\d)\.(?=\d))"
# Verbs that follow a thing up, said with a pronoun for it: "on peut le relancer ?".
FR_FOLLOW_VERB = r"(?:relancer|debloquer|reprendre|accelerer|redemarrer|ressortir|remettre\s+en\s+route)"
_FR_REQUEST = (
    # Writing to ask, politely: "je me permets de vous solliciter pour", "je vous contacte au sujet d'".
    # Said with what it is about ("je me permets de vous écrire au nom du pôle formation" asks nothing yet).
    r"(?:(?:je\s+me\s+permets|nous\s+nous\s+permettons)\s+de\s+vous\s+(?:solliciter|contacter|ecrire)|"
    r"(?:je|nous)\s+vous\s+(?:sollicite|sollicitons|contacte|contactons|ecris|ecrivons))"
    r"\s+(?:pour|au\s+sujet\s+(?:d'|de\s+|du\s+)|concernant|a\s+propos\s+(?:d'|de\s+|du\s+))|"
    r"(?:je\s+me\s+permets|nous\s+nous\s+permettons)\s+de\s+vous\s+demander|"
    # Someone asked to look or to do: "quelqu'un peut regarder pour", "tu peux voir pour".
    r"(?:quelqu'un|qqn|qqun)\s+(?:peut|pourrait|pourra|saurait)(?:\s+(?:nous|me)\b)?|"
    r"(?:tu\s+peux|vous\s+pouvez)(?:\s+(?:nous|me)\b)?|"
    rf"on\s+(?:peut|pourrait)(?=\s+(?:le|la|l')\s*{FR_FOLLOW_VERB})|"
    # "On peut avoir des alertes ?": asked as what can be had.
    r"(?:on|vous|tu)\s+(?:peut|pouvez|peux)(?:\s+(?:nous|me)\b)?(?=\s+(?:avoir|obtenir|disposer|mettre\s+en\s+place)\b)|"
    # What it would cost or take: "combien coûterait un outil", "que faudrait-il pour avoir".
    r"combien\s+(?:couterait|coute|coutera|couteraient|coutent)(?:\s+(?:de\s+|d'))?|"
    r"(?:que|qu'est-ce\s+qu'il)\s+(?:faudrait|faut)(?:[- ]il)?\s+pour|"
    # "Il est temps de remplacer l'ERP": the action is the need.
    r"(?:il\s+est|c'est)\s+(?:grand\s+)?temps\s+(?:de\s+|d')|"
    # Said without "est-ce que" nor "c'est": "possible d'avoir", "envisageable de créer".
    # A request named as one: "Objet : demande de licences Adobe" (not "une demande de la logistique", whose
    # "de" says who asks, nor "demande de devis").
    r"(?:(?:nouvelle|petite)\s+)?demande\s+(?:de\s+|d'|d\s+(?=[aeiouh]))"
    r"(?!(?:la|le|les|l'|nos|notre|mon|ma|mes|leur|leurs|devis|budget|prix|renseignements?|informations?)(?![\w-]))|"
    # The apostrophe may be dropped, as texted: "possible d avoir".
    r"(?:possible|envisageable)\s+(?:d'|de\s+|d\s+(?=[aeiouh]))|"
    # "on pourrait avoir", "vous pourriez nous installer": a request said as a statement.
    r"(?:on|vous|tu)\s+(?:pourrait|pourriez|pourrais|pourra|pourrez)(?:\s+(?:nous|me)\b)?|"
    # Something promised and still awaited: "la DSI nous avait promis un outil".
    r"(?:nous|m'|me|leur)\s*(?:avait|avaient|a|ont|aviez|avez)\s+(?:ete\s+)?promise?s?\s+|"
    # A request chased: "je relance ma demande de portail client".
    r"(?:je|nous|on)\s+(?:relance|relancons|reviens\s+sur|revenons\s+sur)\s+(?:ma|notre|mon|la|cette)\s+"
    r"demande\s+(?:de\s+|d'|du\s+|des\s+|concernant\s+|pour\s+)|"
    # A project launched: "on lance un projet de", "nous lançons".
    r"(?:nous|on|je)\s+(?:lance|lancons|lancent|va\s+lancer|allons\s+lancer)(?:\s+(?:un|le|notre)\s+(?:projet|chantier)"
    r"\s+(?:de\s+|d'))?|"
    # Money said first: "Notre budget est de 45 000 € pour une refonte", "On a 15 k€ pour une appli".
    rf"(?:(?:notre|le|mon)\s+)?(?:budget|enveloppe)\s+(?:est|sera|serait)\s+(?:de\s+|d')?{_AMOUNT_SPAN}{{1,30}}?\s+pour(?=\s)|"
    rf"(?:on|nous)\s+(?:a|avons|dispose\s+de|disposons\s+de)\s+(?=\d){_AMOUNT_SPAN}{{1,20}}?\s+pour(?=\s)|"
    # Had as an envelope: "nous disposons d'une enveloppe de 120 000 € pour la refonte".
    r"(?:on|nous)\s+(?:a|avons|dispose|disposons|disposerons)\s+(?:d'|de\s+)?(?:une|un)\s+(?:enveloppe|budget)\s+"
    rf"(?:de\s+|d')?{_AMOUNT_SPAN}{{1,40}}?\s+pour(?=\s)|"
    # "je voudrais savoir s'il est possible de créer", "on se demande si c'est possible d'avoir": before
    # "je voudrais" alone, which would leave "savoir s'il..." as the thing.
    r"(?:(?:je|nous|on)\s+(?:voudrais|voudrions|voudrait|aimerais|aimerions|aimerait|souhaiterais|souhaiterions)\s+"
    r"savoir|(?:je\s+me|nous\s+nous|on\s+se)\s+(?:demande|demandons|demandais|demandions))\s+"
    r"s(?:'il\s+(?:est|serait|sera)|i\s+(?:c'est|ce\s+serait|ca\s+serait))\s+(?:possible|envisageable|moyen)\s+"
    r"(?:d'|de\s+)|"
    # "nous avons besoin d'", "notre service achats a besoin d'", "j'aurais besoin d'", "besoin urgent d'"
    r"(?:(?:[a-z' -]{0,40}?\s|j')?(?:avons|a|ai|ont|aurions|aurait|aurais|auraient)\s+)?"
    r"(?:vraiment\s+|absolument\s+|urgemment\s+|aussi\s+)?besoin\s+(?:urgent\s+|en\s+urgence\s+|au\s+plus\s+vite\s+|"
    r"rapidement\s+|d'urgence\s+)?"
    # "besoin de quelqu'un pour automatiser": the action is the need.
    r"(?:de\s+quelqu'un\s+pour\s+|d'|de\s+|du\s+|des\s+|dun\s+|dune\s+|d\s+(?=une?\s)|"
    # Texted without "d'un": "besoin appli pointage", "besoin outil de planning".
    r"(?=(?:appli|app|outil|logiciel|solution|site|portail|module|tableau|dashboard|crm|erp|ged|formulaire)s?\s))|"
    # "il faut", texted "faudrait"; "faut qu'on dématérialise": the verb after it is the action asked.
    r"(?:il\s+)?(?:nous\s+|me\s+|leur\s+|lui\s+)?(?:faut|faudrait|faudra)(?:\s+(?:qu'on|que\s+l'on|que\s+nous)"
    r"(?:\s+(?:(?:ait|ayons|puisse|puissions)(?:\s+avoir)?|(?:mette|mettions)\s+en\s+place)(?![\w'-]))?)?|"
    # "nous devons remplacer l'outil": the verb after it is the action asked.
    r"(?:nous|on|je|j')\s*(?:devons|doit|dois|devrions|devrait|devrais)(?![\w'-])|"
    r"(?:(?:nous|on|je|j'|ils|elles)\s*|"
    # A subject named, its article elided or not: "l'équipe communication (7 personnes) cherche".
    # Counted within it: "les 45 infirmières du service de gériatrie voudraient".
    r"(?:(?:la|le|les|notre|nos|mon|ma|mes)\s+|l')[a-z0-9' -]{1,50}?\s(?:\([^()]{1,40}\)\s*)?|"
    # People counted as the subject: "une quinzaine de commerciaux voudraient", "15 techniciens demandent".
    r"(?:(?:une|un)\s+[a-z]+aine\s+(?:de\s+|d')|\d+\s+|(?:plusieurs|quelques|certains|certaines)\s+)"
    r"[a-z'-]+(?:\s+[a-z'-]+)?\s)"
    r"(?:voulons|veut|veux|veulent|voudrions|voudrait|voudrais|voudraient|souhaitons|souhaite|souhaitent|"
    r"souhaiterions|souhaiterait|souhaiterais|souhaiteraient|aimerions|aimerait|aimerais|aimeraient|cherchons|"
    r"cherche|cherchent|recherchons|recherchent|"
    r"recherche|demandons|demande|demandent|reclament|reclame|reclamons)\b(?:\s+bien)?"
    # Whether it can be had: "je voudrais savoir si on peut avoir", "le service paie demande si on pourrait".
    r"(?:(?:\s+savoir)?\s+si\s+(?:on|vous|tu|nous|il|la dsi|l'it|l'informatique)\s+(?:peut|pouvez|peux|pouvons|"
    r"pourrait|pourriez|pourrais|pourrions)(?:\s+(?:nous|me)\b)?(?=\s))?"
    r"(?:\s+(?:avoir|mettre en place|disposer d'|disposer de|obtenir|creer|lancer|developper|"
    r"qu'(?:on|il y) (?:ait|puisse avoir)|que (?:l'on|nous) (?:ayons|ait|puissions avoir)|"
    r"qu'on dispose d'|qu'on dispose de|que nous disposions d'|que nous disposions de))?|"
    r"est[- ]ce\s+qu(?:e\s+|')(?:(?:la dsi|l'it|l'informatique|vous|tu|on|il|l'equipe(?: it| si)?|"
    r"le service informatique)\s+)?(?:pourrait|pourriez|pourrais|peut|pouvez|peux|pourrions|pouvons)"
    r"(?:\s+(?:nous|me)\b)?|"
    r"(?:pourriez|pouvez|pourrais|peux|pourrait|peut|pourrions|pouvons)[- ](?:vous|tu|on|nous)(?:\s+(?:nous|me)\b)?|"
    # "je me demandais si on pourrait avoir", "nous nous demandions si la DSI pourrait".
    r"(?:je\s+me|nous\s+nous|on\s+se)\s+(?:demandais|demandions|demandait)\s+si\s+(?:(?:la dsi|l'it|vous|tu|on|"
    r"nous|il)\s+)?(?:pourrait|pourriez|pourrais|pourrions|peut|pouvez|pouvons)(?:\s+(?:nous|me)\b)?|"
    # "est-ce qu'il serait possible de", "y aurait-il moyen d'", "serait-il envisageable de"
    r"(?:est[- ]ce\s+qu'il\s+(?:serait|sera|est|y\s+aurait|y\s+a)|(?:est|serait)[- ]il|y\s+aurait[- ]il|"
    r"il\s+y\s+aurait|est[- ]ce|(?:est[- ]ce\s+que\s+)?(?:c'est|ce\s+serait|ca\s+serait|ce\s+sera))"
    r"\s+(?:possible|envisageable|moyen)\s+(?:d'|de\s+|d\s+(?=[aeiouh]))|"
    # A noun for the verb: "mise en place d'un outil", "mise en œuvre d'une GED".
    r"(?:la\s+)?mise\s+en\s+(?:place|oeuvre|œuvre)\s+(?:d'|de\s+|du\s+|des\s+)|"
    rf"(?:il|ce|ca|cela)\s+(?:nous\s+|me\s+)?(?:serait|sera|est)\s+(?:vraiment\s+|tres\s+)?{FR_WELCOME}\s+"
    r"(?:d'|de\s+|qu'(?:on|il y) ait\s+|que (?:l'on|nous) (?:ait|ayons)\s+)|"
    r"merci\s+de\s+(?:nous\s+|me\s+)?|"
    r"(?:l'idee|l'objectif)\s+(?:serait|est)\s+(?:d'|de\s+)|"
    # Money granted for the thing: "le comité a validé 400 000 € pour moderniser l'outil".
    # Or obtained: "nous avons obtenu trente mille euros de la région pour un outil".
    rf"(?:a|ont|avons)\s+(?:valide|approuve|debloque|accorde|alloue|vote|obtenu|recu|decroche|eu)\s+"
    rf"{_AMOUNT_SPAN}{{1,50}}?\s+pour(?=\s)|"
    # Said of the budget first: "Budget de 75 k€ validé par le COMEX pour un outil de...".
    r"(?:budget|enveloppe)\s+[^.;:!?]{1,40}?\s(?:valide|approuve|debloque|accorde|alloue|vote)e?s?(?:\s+[^.;:!?]{0,40}?)?\s+pour(?=\s)"
)
# The verb of a French request, when one follows ("pourriez-vous nous développer").
_FR_VERB = (
    r"(?:\s*(?:aider\s+a\s+)?(?:avoir|obtenir|dev(?:e)?l{1,2}op{1,2}er|faire|creer|mettre en place|fournir|monter|"
    r"construire|proposer|realiser|trouver|prevoir|disposer d'|disposer de|mettre en (?:oeuvre|œuvre)|"
    # Asked to look at a thing first: "étudier le remplacement", "envisager une interface".
    # Asked to see whether it can be done: "voir si c'est possible de brancher", "regarder si on peut".
    r"(?:voir|regarder|verifier|checker)\s+s(?:i\s+(?:c'est|ce\s+serait|ca\s+serait|c'est\s+faisable|on\s+peut|"
    r"on\s+pourrait|vous\s+pouvez|tu\s+peux)|'il\s+(?:est|serait))(?:\s+(?:possible|envisageable|faisable)\s+"
    r"(?:de|d'|d(?=\s+[aeiouh])))?|"
    r"envisager|etudier|(?:regarder|voir)\s+pour|regarder|examiner|implementer|acquerir|adopter|"
    r"lancer|deployer|installer|nous trouver|nous proposer|choisir|"
    r"selectionner|"
    # Equipped with the thing: "équiper nos 2 usines d'un système MES".
    r"equiper\s+[^.;:!?]{1,40}?\s(?:d'|de|des|du)(?=\s|(?<=')))"
    r"(?:(?<=')|(?![\w])))?"
)
_EN_WHO = r"we|i|you|u|it|the it team|the it department|you guys|someone|somebody|anyone"
# Equipped with the thing: "equip the 3 labs with a sample tracker".
_EQUIP = r"equip\s+[^.;:!?]{1,40}?\s+with(?=\s)"
_EN_DO = (
    # A price asked first: "give me a quote for a Wi-Fi upgrade".
    r"(?:give|send|get|provide)\s+(?:(?:us|me)\s+)?(?:a\s+)?(?:quote|estimate|price|quotation)\s+(?:for|on)|"
    # Asked to see whether it can be done: "can you check if it's possible to connect", "see whether we can".
    r"(?:check|see|find\s+out)\s+(?:if|whether)\s+(?:(?:it's|it\s+is|it\s+would\s+be|it'd\s+be)\s+possible\s+to|"
    r"(?:we|you|i|it)\s+(?:can|could)(?:\s+(?:get|have|build|set up))?)|"
    r"get|have|build|provide|set up|setup|create|make|develop|implement|put in place|put together|deliver|give|"
    rf"{_EQUIP}|roll out|help\s+(?:us|me)\s+(?:with|(?:to\s+)?(?:get|build|set up|create|find|choose|pick|select))|"
    # Asked to look at a thing first: "could you look into a route planner".
    r"look\s+into|look\s+at|consider|explore|investigate|think\s+about|scope|study"
)
# What gets the thing, after "must", "have to", "need to": the thing is the title, not "implement a...".
_EN_GET = (r"(?:have|get(?!\s+rid\b)|build|set up|create|request|order|ask for|implement|deploy|roll out|put in place|"
           r"introduce|adopt|buy|purchase|acquire)")
_EN_REQUEST = (
    # Writing to ask: "I'm reaching out about", "I am writing to request".
    r"(?:i'm|i\s+am|we're|we\s+are)\s+(?:reaching\s+out|writing|contacting\s+you|getting\s+in\s+touch)\s+"
    r"(?:to\s+(?:request|ask\s+for|ask\s+about|get)|about|regarding|for|with\s+a\s+request\s+for)(?=\s)|"
    # What it would take or cost: "What would it take to get", "how much would it cost to build".
    r"(?:what|how\s+much|how\s+long)\s+(?:would|will|does|could)\s+it\s+(?:take|cost)\s+(?:us\s+)?to"
    rf"(?:\s+{_EN_GET}|\s+develop)?(?=\s)|"
    # "Time to replace the ERP", "it's time to": the action is the need.
    r"(?:(?<![\s\S])|(?<=[.!?,:;]\s)|(?<=\n)|it's\s+|it\s+is\s+)(?:high\s+|about\s+)?time\s+(?:for\s+us\s+)?to(?=\s)|"
    r"(?:we|i|they|(?:our|my|the)\s+[a-z0-9' -]{1,40}?|"
    # A site or team named bare as the subject, at the start: "Plant 3 needs", "Site B wants".
    r"(?<![\s\S])[a-z][a-z-]+\s+(?:\d+|[a-z])|"
    # People counted as the subject: "a dozen nurses would like", "15 drivers need".
    r"(?:a\s+(?:dozen|few|couple\s+of|handful\s+of)|some|several|about\s+\d+|\d+)\s+[a-z'-]+(?:\s+[a-z'-]+)?)"
    r"\s*(?:\([^()]{1,40}\)\s*)?"
    r"(?:really\s+|urgently\s+|also\s+|do\s+)?"
    r"(?:needs|need|would need|'d need|wants|want|would want|would like|'d like|would love|'d love|"
    r"requires|require|are after|is after|(?:keep|keeps|kept|are|is|have been|has been)\s+asking\s+for|"
    r"asked for|ask for)\b(?!\s+to\s+know\b)"
    rf"(?:\s+to\s+{_EN_GET}\b|\s+to\s+{_EQUIP}|\s+to(?=\s)|"
    r"\s+(?:someone|somebody|a\s+person|help)\s+to(?=\s))?|"
    # Someone to do it: "need someone to automate the shipment tracking".
    r"(?:(?:we|i)\s+(?:really\s+)?)?(?:need|needs)\s+(?:someone|somebody|a\s+person|help)\s+to(?=\s)|"
    r"need(?=\s+(?!(?:is|was|for|of|and|or|in|to\s+be)\b)[a-z])|"
    # Said without a subject: "Would love an offline app".
    r"(?:would|'d)\s+(?:love|like)(?:\s+to\s+(?:have|get|build|set up|create))?(?=\s)|"
    # A project launched: "we're launching a project to replace...", "we are kicking off a data catalogue".
    # Said with its subject and what is launched ("we are starting to lose track" launches nothing).
    r"(?:we're|we\s+are|we\s+will\s+be|we'll\s+be|i'm|i\s+am)\s+(?:launching|kicking\s+off|starting)"
    r"(?=\s+(?:a|an|the|our)\s)(?:\s+(?:a|the|our)\s+project\s+(?:to|for|on)(?=\s))?|"
    # Something promised and still awaited: "IT promised us a new expense tool", "we were promised a".
    r"(?:has\s+|had\s+|have\s+)?promised\s+(?:us|me)(?=\s)|(?:we|i)\s+(?:were|was|had\s+been|have\s+been)\s+promised|"
    # A request chased: "I'm chasing my request for a label printer".
    r"(?:(?:i'm|we're|i\s+am|we\s+are|just)\s+)?(?:chasing|following\s+up\s+on|bumping)\s+(?:my|our|the)\s+request\s+"
    r"(?:for|about|on)(?=\s)|"
    # Money said first: "Our budget is €25k for a customer feedback tool".
    rf"(?:(?:our|the|my)\s+)?budget\s+(?:is|was|will\s+be)\s+(?:about\s+|around\s+)?{_AMOUNT_SPAN}{{1,30}}?\s+for(?=\s)|"
    rf"(?:we|i)\s+(?:have|'ve\s+got|have\s+got)\s+(?:about\s+|around\s+)?(?=[^.;:!?\s]{{0,3}}\d){_AMOUNT_SPAN}{{1,20}}?"
    r"\s+for(?=\s)|"
    rf"(?:we|i)\s+(?:have\s+to|must|should)(?:\s+{_EN_GET})?(?=\s)|"
    r"(?:(?:we're|i'm|we are|i am)\s+)?looking\s+(?:for|to\s+(?:get|have|build))|"
    # "Looking to replace the route planner": the action is the need.
    r"(?:(?:we're|i'm|we are|i am|we've\s+been|i've\s+been)\s+)?looking\s+to(?=\s)|"
    r"(?:we're|i'm|we are|i am)\s+(?:after|hoping for|in need of|in the market for|asking for|requesting)|"
    r"(?:(?:we|i)\s+(?:are\s+|am\s+)?)?(?:requesting|request)(?:\s+for)?(?=\s)|"
    # "any chance of a new laptop?", "is there any chance of getting a scanner?".
    r"(?:is\s+there\s+)?any\s+chance\s+(?:of|for)(?:\s+(?:getting|having|us\s+getting))?(?=\s)|"
    r"(?:please\s+)?(?:(?:is\s+there\s+)?any\s+chance\s+(?:that\s+)?(?P<who>" + _EN_WHO + r")\s+(?:could|can|would)"
    r"|(?:could|can|would|may)\s+(?:" + _EN_WHO + r"))"
    r"\s+(?:(?:please|pls|possibly|maybe|perhaps|kindly|just|also)\s+)*(?:" + _EN_DO + r")"
    r"(?:\s+(?:us|me)\b)?(?:\s+with\b)?|"
    # Asked to do something to a thing: "can we automate the shipment tracking?" (the action is the title).
    r"(?:please\s+)?(?:could|can|would)\s+(?:we|you|u|it|the it team|someone)\s+"
    r"(?:(?:please|pls|possibly|maybe|perhaps|kindly|just|also)\s+)*"
    r"(?=[a-z])(?!(?:help|tell|let|advise|confirm|check|answer|say|explain|see|do|be|look|think|talk|discuss|call|"
    r"contact|reply|share|send|give|get back|please|pls)\b)|"
    # "would it be possible to get", or to do something to a thing ("to digitise the reports": kept).
    # "wondering if IT could build", "I was wondering whether we could get".
    # "is asking whether we could get", "I'd like to know if we can get".
    r"(?:(?:i'm|we're|i am|we are|i was|we were|just|is|are|was|were|keeps?|i|we)\s*)?"
    r"(?:wondering|asking|(?:'d|would)\s+like\s+to\s+know|want\s+to\s+know)\s+(?:if|whether)\s+(?:" + _EN_WHO + r")\s+"
    r"(?:could|can|would|might)\s+(?:(?:please|pls|possibly|maybe|perhaps|kindly|just|also)\s+)*(?:" + _EN_DO + r")"
    r"(?:\s+(?:us|me)\b)?|"
    r"(?:(?:is\s+it|would\s+it\s+be|will\s+it\s+be)\s+|(?<!as\s))possible\s+(?:for\s+(?:us|you|me)\s+)?to"
    r"(?:\s+(?:get|have|build|create|set up|develop|provide)(?:\s+(?:us|me)\b)?)?(?=\s)|"
    r"is\s+there\s+(?:any|a|some)\s+way\s+(?:(?:for\s+(?:us|you|me)\s+)?to|(?:we|you|i|it)\s+(?:could|can))"
    r"(?:\s+(?:get|have|build|create|set up|develop|provide)(?:\s+(?:us|me)\b)?)?(?=\s)|"
    r"(?:the\s+)?(?:set-up|setup|implementation|roll-?out)\s+of(?=\s)|"
    rf"it(?:'d|\s+would)\s+be\s+(?:really\s+|very\s+|so\s+)?{_EN_WELCOME}\s+"
    r"(?:to\s+(?:have|get)|if\s+(?:we|i)\s+(?:could\s+(?:have|get)|had))|"
    r"please\s+(?:build|create|set up|provide|make|develop|give)(?:\s+(?:us|me)\b)?|"
    # "please" before any other action, at a sentence's start: "URGENT - please fix the badge reader sync".
    r"(?:(?<![\s\S])|(?<=[.!?,:;\u2013\u2014-]\s)|(?<=\n))(?:please|pls|kindly)\s*,?"
    r"(?=\s+(?!(?:help|advise|let|tell|note|find|see|read|reply|confirm|check|call|contact)\b)[a-z])|"
    # Money granted for the thing: "management approved half a million euros for a new WMS".
    rf"(?:has\s+|have\s+)?(?:approved|allocated|granted|signed off|budgeted)\s+{_AMOUNT_SPAN}{{1,50}}?\s+for(?=\s)|"
    # Or obtained, or had as an envelope: "we secured €30k from the region for", "we have an envelope of".
    rf"(?:we|i)\s+(?:have\s+|'ve\s+)?(?:secured|obtained|received|got|won|been\s+granted)\s+{_AMOUNT_SPAN}{{1,50}}?"
    r"\s+for(?=\s)|"
    rf"(?:we|i)\s+(?:have|'ve\s+got|have\s+got)\s+(?:an?\s+)?(?:envelope|budget|pot)\s+of\s+{_AMOUNT_SPAN}{{1,40}}?"
    r"\s+for(?=\s)"
)
# An urgency said between the request and the thing: "Need ASAP a ...", "il nous faut en urgence un".
_URGENCY = r"(?:(?:asap|urgently|quickly|au\s+plus\s+vite|en\s+urgence|d'urgence|rapidement|urgemment)\s+)?"
# A label first (before "request for" is read as a request): whom or where the request comes from or is for
# may come before its colon ("Demande pour la boutique en ligne :", "Request for the warehouse:").
REQUEST = re.compile(
    r"(?:(?:(?:nouvelle|nouveau|new|petite|small|quick|urgent|urgente)\s+)?"
    r"(?:besoin|demande|projet|objet|sujet|request|need|subject|project|(?:the\s+)?ask)"
    r"(?:\s+(?:pour|for|from|de\s+la\s+part\s+d[eu']|du|de\s+la|des|de\s+l'|concernant|regarding)\s*[^.!?:\n]{1,40}?)?"
    rf"\s*:|(?:{_FR_REQUEST}){_FR_VERB}|{_EN_REQUEST})(?:\s*[-–—]+(?=\s))?\s*{_URGENCY}"
)
# A request frame further on, once the first sentence turned out to be context ("Our 12 plants have no
# common tool. We'd like..."; "Le serveur sature, il faut une solution..."): at a word's start.
REQUEST_LATER = re.compile(rf"(?<![\w'-])(?:{REQUEST.pattern})")
