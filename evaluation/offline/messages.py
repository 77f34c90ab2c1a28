"""Every user-facing string of the offline evaluator, in English and Spanish.

Each entry is an (English, Spanish) pair, so a language can never be missing a string.
Templates use ``str.format`` with named fields; memo text only ever enters as a value.
"""

from __future__ import annotations

import re

_CATALOGUE: dict[str, tuple[str, str]] = {
    # Criterion justifications.
    "no_prose": ("No sentences found to judge.", "No se encontraron frases que evaluar."),
    "unjudgeable": (
        "The offline evaluator cannot judge “{name}”: its rules only check answer-first "
        "structure, evidence, clarity, the ask and next steps, and risks. Model-based "
        "feedback can judge it: configure an API key (ANTHROPIC_API_KEY), or try again if "
        "the AI coach was unavailable.",
        "El evaluador sin conexión no puede juzgar «{name}»: sus reglas solo revisan la "
        "estructura con la respuesta primero, la evidencia, la claridad, la petición y los "
        "próximos pasos, y los riesgos. La valoración de un modelo sí puede juzgarlo: "
        "configura una clave de API (ANTHROPIC_API_KEY), o inténtalo de nuevo si el coach "
        "de IA no estaba disponible.",
    ),
    "af_lead": (
        "Sentence {position} states the point: {quote}.",
        "La frase {position} plantea la idea principal: {quote}.",
    ),
    "af_first_paragraph": (
        "The point appears in sentence {position}, after some lead-in: {quote}.",
        "La idea principal aparece en la frase {position}, tras una introducción: {quote}.",
    ),
    "af_buried": (
        "The point is buried in sentence {position} of {total}: {quote}.",
        "La idea principal queda enterrada en la frase {position} de {total}: {quote}.",
    ),
    "af_none": (
        "No recommendation, decision or request found (no “I recommend”, “we should”, "
        "“please approve”...); the memo opens with {quote}.",
        "No se encontró ninguna recomendación, decisión ni petición (ni «recomiendo», ni "
        "«proponemos», ni «solicito»...); el memo empieza con {quote}.",
    ),
    "af_background_opener": (
        "It opens with background: {quote}.",
        "Empieza con antecedentes: {quote}.",
    ),
    "af_hedged": (
        "The point is hedged ({phrases}).",
        "La idea principal está matizada con dudas ({phrases}).",
    ),
    "af_structured": (
        "Support is grouped ({headings} headings, {bullets} bullet points, {paragraphs} "
        "paragraphs).",
        "Los argumentos están agrupados ({headings} títulos, {bullets} viñetas, {paragraphs} "
        "párrafos).",
    ),
    "af_unstructured": (
        "Supporting points are not grouped under headings or lists.",
        "Los argumentos no están agrupados con títulos ni listas.",
    ),
    "ev_none": (
        "No figures at all: every claim rests on assertion.",
        "Ninguna cifra: todas las afirmaciones se sostienen solo en la palabra del autor.",
    ),
    "ev_counts": (
        "Figures: {count}, in {numeric} of {total} sentences (e.g. {example}).",
        "Cifras: {count}, en {numeric} de {total} frases (p. ej. {example}).",
    ),
    "ev_context": (
        "Figures with a comparison or time frame: {context} of {numeric} sentences.",
        "Cifras con comparación o periodo: {context} de {numeric} frases.",
    ),
    "ev_support": (
        "Names sources or assumptions ({phrases}).",
        "Cita fuentes o supuestos ({phrases}).",
    ),
    "ev_no_support": (
        "No source or assumption is named for the figures.",
        "No se cita ninguna fuente ni supuesto para las cifras.",
    ),
    "ev_vague": (
        "Vague claims without a figure: {count} ({phrases}).",
        "Afirmaciones vagas sin cifra: {count} ({phrases}).",
    ),
    "cl_length": (
        "Sentences average {average} words (longest {longest}); over {limit} words: {long} "
        "of {total}.",
        "Las frases tienen {average} palabras de media (la más larga, {longest}); con más de "
        "{limit} palabras: {long} de {total}.",
    ),
    "cl_passive": ("Passive constructions: {count} ({phrases}).", "Pasivas: {count} ({phrases})."),
    "cl_hedges": ("Hedges: {count} ({phrases}).", "Expresiones de duda: {count} ({phrases})."),
    "cl_wordy": (
        "Filler, jargon or style issues: {count} ({phrases}).",
        "Muletillas, jerga o problemas de estilo: {count} ({phrases}).",
    ),
    "cl_clean": (
        "No passive voice, hedges or jargon found.",
        "Sin pasivas, expresiones de duda ni jerga.",
    ),
    "cl_readability": (
        "Flesch reading ease {score}/100.",
        "Legibilidad Fernández-Huerta {score}/100.",
    ),
    "cl_too_long": (
        "At {words} words it is long for a memo.",
        "Con {words} palabras es largo para un memo.",
    ),
    "ask_none": (
        "No request to the reader was found.",
        "No se encontró ninguna petición al lector.",
    ),
    "ask_soft": (
        "Only a soft request: {quote}.",
        "Solo hay una petición vaga: {quote}.",
    ),
    "ask_found": ("The ask: {quote}.", "La petición: {quote}."),
    "ask_deadline": ("It comes with a deadline.", "Incluye una fecha límite."),
    "ask_no_deadline": ("It has no deadline.", "No tiene fecha límite."),
    "ask_late": (
        "It is not in the opening lines.",
        "No aparece en las primeras líneas.",
    ),
    "steps_counts": (
        "Next steps: {steps} ({owners} with an owner, {dates} with a date).",
        "Próximos pasos: {steps} ({owners} con responsable, {dates} con fecha).",
    ),
    "steps_none": ("No next steps are listed.", "No se listan próximos pasos."),
    "risk_none": (
        "No mention of risks, costs or alternatives.",
        "No se mencionan riesgos, costes ni alternativas.",
    ),
    "risk_risks": ("Risks: {count} ({phrases}).", "Riesgos: {count} ({phrases})."),
    "risk_risks_none": ("No risks named.", "No se nombra ningún riesgo."),
    "risk_mitigations": (
        "Mitigations: {count} ({phrases}).",
        "Mitigaciones: {count} ({phrases}).",
    ),
    "risk_mitigations_none": ("No mitigation.", "Ninguna mitigación."),
    "risk_costs": ("Costs: {count} ({phrases}).", "Costes: {count} ({phrases})."),
    "risk_costs_none": ("No cost or effort stated.", "No se indica coste ni esfuerzo."),
    "risk_alternatives": (
        "Alternatives: {count} ({phrases}).",
        "Alternativas: {count} ({phrases}).",
    ),
    "risk_alternatives_none": (
        "No alternative considered.",
        "No se considera ninguna alternativa.",
    ),
    # Strengths.
    "st_answer_first": (
        "Leads with the point: {quote}.",
        "Empieza por la idea principal: {quote}.",
    ),
    "st_evidence": (
        "Backs the case with {count} figures; {context} of {numeric} sentences with figures "
        "give a comparison or time frame (e.g. {example}).",
        "Respalda la propuesta con {count} cifras; {context} de {numeric} frases con cifras "
        "dan una comparación o un periodo (p. ej. {example}).",
    ),
    "st_clarity": (
        "Plain, direct prose: sentences average {average} words; passive, hedging or jargon "
        "findings: {issues}.",
        "Prosa directa y sencilla: las frases tienen {average} palabras de media; pasivas, "
        "dudas o jerga: {issues}.",
    ),
    "st_clarity_clean": (
        "Plain, direct prose: sentences average {average} words, with no passive voice, "
        "hedging or jargon found.",
        "Prosa directa y sencilla: las frases tienen {average} palabras de media, sin "
        "pasivas, dudas ni jerga.",
    ),
    "st_ask": (
        "Makes a clear, dated ask: {quote}.",
        "Hace una petición clara y con fecha: {quote}.",
    ),
    "st_steps": (
        "Concrete next steps: {steps} listed, {owners} with an owner and {dates} with a date.",
        "Próximos pasos concretos: {steps} en total, {owners} con responsable y {dates} con fecha.",
    ),
    "st_risks": (
        "Weighs what could go wrong: {risks} risk mentions, {mitigations} mitigations and "
        "{alternatives} alternatives.",
        "Sopesa lo que puede salir mal: {risks} menciones de riesgo, {mitigations} "
        "mitigaciones y {alternatives} alternativas.",
    ),
    "st_structure": (
        "Easy to scan: {headings} headings and {bullets} bullet points.",
        "Fácil de recorrer: {headings} títulos y {bullets} viñetas.",
    ),
    # Opportunities.
    "op_no_answer": (
        "State your recommendation and the decision you need in the first two sentences; "
        "none was found, and the memo opens with {quote}.",
        "Plantea tu recomendación y la decisión que necesitas en las dos primeras frases; "
        "no se encontró ninguna, y el memo empieza con {quote}.",
    ),
    "op_buried": (
        "Move your main point to the top: it only appears in sentence {position} ({quote}).",
        "Sube la idea principal al principio: solo aparece en la frase {position} ({quote}).",
    ),
    "op_hedged_answer": (
        "Commit to your recommendation: drop the hedges ({phrases}) where you state it.",
        "Comprométete con tu recomendación: quita las dudas ({phrases}) al plantearla.",
    ),
    "op_no_numbers": (
        "Add evidence: no figures support the case. Give the key numbers with a baseline "
        "and a time frame.",
        "Aporta evidencia: ninguna cifra respalda la propuesta. Da los números clave con "
        "una referencia y un periodo.",
    ),
    "op_vague": (
        "Replace vague claims with figures and their baseline ({phrases}).",
        "Sustituye las afirmaciones vagas por cifras con su referencia ({phrases}).",
    ),
    "op_context": (
        "Give your numbers context: only {context} of {numeric} sentences with figures "
        "compare them with a baseline, target or period.",
        "Da contexto a tus cifras: solo {context} de {numeric} frases con cifras las comparan "
        "con una referencia, un objetivo o un periodo.",
    ),
    "op_no_support": (
        "Say where the numbers come from: name a source or the assumptions behind them.",
        "Indica de dónde salen los números: cita una fuente o los supuestos.",
    ),
    "op_long": (
        "Split long sentences ({count} over {limit} words; the longest has {longest}).",
        "Divide las frases largas ({count} superan las {limit} palabras; la más larga tiene "
        "{longest}).",
    ),
    "op_passive": (
        "Name who acts instead of using the passive ({phrases}).",
        "Di quién actúa en lugar de usar la pasiva ({phrases}).",
    ),
    "op_hedges": (
        "Cut hedges where you are confident ({phrases}).",
        "Elimina las expresiones de duda donde estés seguro ({phrases}).",
    ),
    "op_jargon": (
        "Use plain words instead of filler and jargon ({phrases}).",
        "Usa palabras sencillas en lugar de muletillas y jerga ({phrases}).",
    ),
    "op_too_long": (
        "Cut it down: at {words} words it is long for a memo; aim for one page (300-600 "
        "words) and move detail to an appendix.",
        "Acórtalo: con {words} palabras es largo para un memo; apunta a una página (300-600 "
        "palabras) y lleva el detalle a un anexo.",
    ),
    "op_too_short": (
        "Add substance: at {words} words it is too thin to support a decision.",
        "Añade contenido: con {words} palabras se queda corto para respaldar una decisión.",
    ),
    "op_no_ask": (
        "End the guesswork: say what you need from the reader and by when (e.g. “Please "
        "approve X by Friday 14 June”).",
        "Evita que el lector adivine: di qué necesitas de él y para cuándo (p. ej. «Te pido "
        "que apruebes X antes del viernes 14 de junio»).",
    ),
    "op_soft_ask": (
        "Turn {quote} into a specific request with a deadline.",
        "Convierte {quote} en una petición concreta con fecha límite.",
    ),
    "op_no_deadline": (
        "Put a date on your ask: {quote} has no deadline.",
        "Pon fecha a tu petición: {quote} no tiene fecha límite.",
    ),
    "op_ask_late": (
        "Put the ask in the opening lines, not only further down.",
        "Pon la petición en las primeras líneas, no solo más abajo.",
    ),
    "op_no_steps": (
        "List the next steps, each with an owner and a date.",
        "Enumera los próximos pasos, cada uno con responsable y fecha.",
    ),
    "op_steps_incomplete": (
        "Complete the next steps (of {steps}: {no_owner} without an owner, {no_date} without "
        "a date).",
        "Completa los próximos pasos (de {steps}: sin responsable, {no_owner}; sin fecha, "
        "{no_date}).",
    ),
    "op_no_risks": (
        "Add a short risks section: the main risk, its mitigation and the cost.",
        "Añade una sección breve de riesgos: el principal, su mitigación y el coste.",
    ),
    "op_no_mitigation": (
        "Say how you will mitigate the risks you name.",
        "Explica cómo mitigarás los riesgos que mencionas.",
    ),
    "op_no_alternatives": (
        "Mention the alternatives you considered and why you rejected them.",
        "Menciona las alternativas que consideraste y por qué las descartaste.",
    ),
    "op_no_cost": (
        "State the cost or effort involved.",
        "Indica el coste o el esfuerzo que implica.",
    ),
    # Segment comments.
    "seg_buried": (
        "This is your main point, but the reader only reaches it in sentence {position}.",
        "Esta es tu idea principal, pero el lector no llega a ella hasta la frase {position}.",
    ),
    "seg_background_opener": (
        "The memo opens with background, so the reader does not yet know what you want.",
        "El memo empieza con antecedentes, así que el lector aún no sabe qué quieres.",
    ),
    "seg_no_point": (
        "Nothing in the opening tells the reader what you recommend or need from them.",
        "Nada en el comienzo dice al lector qué recomiendas ni qué necesitas de él.",
    ),
    "seg_long": (
        "At {words} words this sentence asks the reader to hold too much at once.",
        "Con {words} palabras, esta frase obliga al lector a retener demasiado a la vez.",
    ),
    "seg_hedge": (
        "The hedge ({phrases}) weakens a point you seem to believe.",
        "La duda ({phrases}) debilita una idea en la que pareces creer.",
    ),
    "seg_vague": (
        "{phrases}: a claim without a number.",
        "{phrases}: una afirmación sin cifra.",
    ),
    "seg_jargon": (
        "Filler or jargon ({phrases}) makes the reader work for nothing.",
        "Las muletillas o la jerga ({phrases}) hacen trabajar al lector para nada.",
    ),
    "seg_style": (
        "Style check on {phrase}: {message}",
        "Revisión de estilo de {phrase}: {message}",
    ),
    "seg_passive": (
        "The passive ({phrase}) hides who acts.",
        "La pasiva ({phrase}) oculta quién actúa.",
    ),
    "seg_ask_no_deadline": (
        "This is your ask, but it has no deadline.",
        "Esta es tu petición, pero no tiene fecha límite.",
    ),
    "seg_soft_ask": (
        "This invites comments but does not ask for a decision.",
        "Esto invita a comentar, pero no pide una decisión.",
    ),
    "seg_good_lead": (
        "Strong opening: it states your recommendation up front.",
        "Buen comienzo: plantea tu recomendación desde el principio.",
    ),
    "seg_good_evidence": (
        "Good evidence: concrete figures with a comparison point.",
        "Buena evidencia: cifras concretas con un punto de comparación.",
    ),
    "seg_good_ask": (
        "A clear ask with a deadline: the reader knows what to do and by when.",
        "Una petición clara y con fecha: el lector sabe qué hacer y para cuándo.",
    ),
    "seg_good_risk": (
        "Good: it names a risk together with how you will handle it.",
        "Bien: nombra un riesgo junto con cómo lo vas a gestionar.",
    ),
    # Questions to think about.
    "q_two_lines": (
        "If your reader stopped after two lines, would they know what you want?",
        "Si el lector se detuviera tras dos líneas, ¿sabría qué quieres?",
    ),
    "q_what_decision": (
        "What decision do you want from the reader, in one sentence?",
        "¿Qué decisión quieres del lector, en una sola frase?",
    ),
    "q_long_one_idea": (
        "What is the one idea this sentence must carry?",
        "¿Cuál es la única idea que debe transmitir esta frase?",
    ),
    "q_hedge": (
        "Are you unsure, or being polite? If unsure, how likely is it, and why?",
        "¿Tienes dudas reales o es cortesía? Si dudas, ¿qué probabilidad hay y por qué?",
    ),
    "q_how_much": (
        "How much exactly, compared with what, and over what period?",
        "¿Cuánto exactamente, comparado con qué y en qué periodo?",
    ),
    "q_plain": (
        "How would you say this to a colleague in one breath?",
        "¿Cómo se lo dirías a un compañero en una sola frase?",
    ),
    "q_who": (
        "Who does this, and would naming them make the sentence clearer?",
        "¿Quién lo hace? ¿Quedaría más clara la frase si lo nombras?",
    ),
    "q_when_decide": (
        "By when do you need the answer, and what happens if it comes later?",
        "¿Para cuándo necesitas la respuesta y qué pasa si llega más tarde?",
    ),
    "q_what_exactly": (
        "What exactly should the reader decide or do after reading this?",
        "¿Qué debe decidir o hacer exactamente el lector después de leer esto?",
    ),
    "q_decision_clear": (
        "Is the decision you need from the reader as clear as the recommendation?",
        "¿Está tan clara la decisión que necesitas como la recomendación?",
    ),
    "q_source": (
        "Where do these figures come from, and could a sceptical reader check them?",
        "¿De dónde salen estas cifras y podría comprobarlas un lector escéptico?",
    ),
    "q_consequence": (
        "What happens if the reader misses the deadline?",
        "¿Qué pasa si el lector no cumple el plazo?",
    ),
    "q_trigger": (
        "What signal would tell you the mitigation is needed, and who watches for it?",
        "¿Qué señal indicaría que hace falta la mitigación y quién la vigila?",
    ),
    # Suggestions.
    "sg_move_top": (
        "Move this sentence to the top of the memo, as its first line.",
        "Mueve esta frase al principio del memo, como primera línea.",
    ),
    "sg_cut_background": (
        "Then cut the background before it to two or three sentences of context.",
        "Después reduce los antecedentes a dos o tres frases de contexto.",
    ),
    "sg_open_with_answer": (
        "Open instead with one sentence that states your recommendation and the decision "
        "you need, e.g. “I recommend X; please approve it by <date>.”",
        "Empieza con una frase que plantee tu recomendación y la decisión que necesitas, "
        "p. ej. «Recomiendo X; te pido que lo apruebes antes del <fecha>».",
    ),
    "sg_split": (
        "Split it in two: “{first}” / “{second}”",
        "Divídela en dos: «{first}» / «{second}»",
    ),
    "sg_split_generic": (
        "Break it into two or three sentences of under {limit} words, one idea each.",
        "Divídela en dos o tres frases de menos de {limit} palabras, una idea por frase.",
    ),
    "sg_rewrite": ("Rewrite: “{text}”", "Reescríbela: «{text}»"),
    "sg_hedge_generic": (
        "Replace “{phrase}” with a firm statement, or give the probability and why.",
        "Sustituye «{phrase}» por una afirmación firme, o da la probabilidad y el motivo.",
    ),
    "sg_add_figure": (
        "Replace “{phrase}” with the figure and its baseline (e.g. “from X to Y between "
        "<date> and <date>”).",
        "Sustituye «{phrase}» por la cifra y su referencia (p. ej. «de X a Y entre <fecha> "
        "y <fecha>»).",
    ),
    "sg_jargon_plain": (
        "Say concretely what “{phrase}” means here.",
        "Di en concreto qué significa «{phrase}» aquí.",
    ),
    "sg_replace": (
        "Replace “{phrase}” with “{replacement}”.",
        "Sustituye «{phrase}» por «{replacement}».",
    ),
    "sg_style_generic": ("Rephrase or cut “{phrase}”.", "Reformula o elimina «{phrase}»."),
    "sg_active": (
        "Put the actor first: “[who] {active} …” instead of “{phrase}”.",
        "Pon primero a quien actúa: «[quién] {active}…» en lugar de «{phrase}».",
    ),
    "sg_active_generic": (
        "Rewrite “{phrase}” in the active voice, naming who acts.",
        "Reescribe «{phrase}» en activa, nombrando a quien actúa.",
    ),
    "sg_add_deadline": (
        "Add a date: “{text} by <date>.”",
        "Añade una fecha: «{text} antes del <fecha>».",
    ),
    "sg_specific_ask": (
        "Ask for a specific decision with a date, e.g. “Please approve X by Friday 14 June.”",
        "Pide una decisión concreta con fecha, p. ej. «Te pido que apruebes X antes del "
        "viernes 14 de junio».",
    ),
    "sg_keep_top": (
        "Keep it as the first line: if the memo is forwarded, this sentence should stand alone.",
        "Mantenla como primera línea: si se reenvía el memo, esta frase debe bastar por sí sola.",
    ),
    "sg_cite_source": (
        "Add the source after the figures, e.g. “(finance dashboard, May 2025)”.",
        "Añade la fuente tras las cifras, p. ej. «(panel de finanzas, mayo de 2025)».",
    ),
    "sg_keep_evidence": (
        "Use this pattern (figure, baseline, source) for every key claim.",
        "Usa este patrón (cifra, referencia, fuente) en cada afirmación clave.",
    ),
    "sg_ask_consequence": (
        "Add one clause on what happens if there is no decision by then.",
        "Añade una frase sobre qué pasa si no hay decisión para entonces.",
    ),
    "sg_trigger": (
        "Add the trigger and the owner of the mitigation (e.g. “if churn passes 5%, Ana "
        "pauses the rollout”).",
        "Añade el umbral y el responsable de la mitigación (p. ej. «si la baja de clientes "
        "supera el 5%, Ana pausa el despliegue»).",
    ),
}


def say(language: str, key: str, **values: object) -> str:
    """The message ``key`` in ``language`` (English unless Spanish), filled in."""
    english, spanish = _CATALOGUE[key]
    return (spanish if language == "es" else english).format(**values)


def template(language: str, key: str) -> str:
    """The unfilled template (for checking the catalogue)."""
    english, spanish = _CATALOGUE[key]
    return spanish if language == "es" else english


def keys() -> list[str]:
    return sorted(_CATALOGUE)


_SPACE = re.compile(r"\s+")


def quote(text: str, limit: int = 90) -> str:
    """A memo phrase for a justification: whitespace collapsed, final full stop dropped
    (the message supplies its own punctuation), cut at a word, quoted."""
    flat = _SPACE.sub(" ", text).strip()
    flat = flat[:-1] if flat.endswith(".") and not flat.endswith("..") else flat
    if len(flat) > limit:
        cut = flat[:limit].rsplit(" ", 1)[0] if " " in flat[:limit] else flat[:limit]
        flat = cut.rstrip(",;:") + "…"
    return f"“{flat}”"
