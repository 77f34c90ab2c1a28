"""Spanish word lists for the offline rules (see lexicon.Lexicon for each field)."""

from __future__ import annotations

from evaluation.offline.lexicon import Lexicon

_SER = (
    r"(?:es|son|era|eran|fue|fueron|será|serán|sería|serían|sea|sean|ha sido|han sido|"
    r"había sido|habían sido|haya sido|está siendo|están siendo)"
)

# fmt: off
SPANISH = Lexicon(
    recommend=(
        r"recomiendo", r"recomendamos", r"(?:mi|nuestra) recomendación", r"recomendación:",
        r"propongo", r"proponemos", r"(?:mi|nuestra) propuesta", r"propuesta:", r"debemos",
        r"solicito", r"solicitamos", r"(?:le|les|os|te) pido", r"pedimos",
        r"necesito (?:su|tu|vuestra) (?:aprobación|decisión)", r"decisión:",
        r"se necesita una decisión", r"conclusión:", r"planteo",
        r"vamos a (?:exigir|implantar|cerrar|contratar|cambiar|lanzar|migrar|externalizar"
        r"|sustituir|eliminar)",
    ),
    background=(
        r"antecedentes", r"contexto", r"como (?:sabéis|sabes|saben|sabrán|ya sabe|ya sabéis)",
        r"durante (?:los|el) (?:últimos?|pasados?)", r"en los últimos", r"en el pasado",
        r"históricamente", r"desde hace",
        r"hace (?:unos|algunos|un par de) (?:meses|años|semanas)",
        r"el (?:año|trimestre|mes) pasado", r"introducción", r"quería",
        r"(?:les|os|te) escribo", r"recientemente", r"como (?:comentamos|hablamos)",
        r"cuando (?:empezamos|comenzamos)",
    ),
    hedges=(
        (r"(?:creo|pienso|considero|diría) que ", ""), (r"me parece que ", ""),
        (r"en mi opinión,? ", ""), (r"quizás? ", ""), (r"tal vez ", ""), (r"a lo mejor ", ""),
        (r"posiblemente ", ""), (r"probablemente ", ""), (r"en cierto modo,? ", ""),
        (r"de alguna manera,? ", ""), (r"más o menos ", ""), (r"un poco ", ""),
        (r"relativamente ", ""), (r"puede que", None), (r"podría(?:mos|n)?", None),
        (r"al parecer,? ", ""), (r"no estoy seguro", None), (r"habría que", "hay que"),
        (r"sería (?:bueno|interesante|conveniente)", None),
    ),
    jargon=(
        (r"con el fin de", "para"), (r"a fin de", "para"), (r"en aras de", "para"),
        (r"sinergias?", None), (r"apalanca(?:r|mos|ndo)", "usar"), (r"de cara a", "para"),
        (r"a nivel de", "en"), (r"en base a", "según"), (r"el hecho de que", "que"),
        (r"hoy en día", "hoy"), (r"en el día de hoy", "hoy"), (r"llevar a cabo", "hacer"),
        (r"poner en valor", "destacar"), (r"holístic[oa]s?", None), (r"disruptiv[oa]s?", None),
        (r"ecosistema", None), (r"empodera(?:r|miento)", None),
        (r"cabe (?:destacar|señalar|mencionar) que ", ""),
        (r"es importante (?:señalar|destacar) que ", ""), (r"en relación a", "sobre"),
        (r"básicamente,? ", ""), (r"realmente ", ""), (r"muy ", ""),
        (r"debido al hecho de que", "porque"), (r"en lo que respecta a", "sobre"),
        (r"proceder a ", ""), (r"win-win", None), (r"valor añadido", None),
        (r"de primer nivel", None),
    ),
    vague=(
        r"significativ[oa]s?", r"significativamente", r"considerables?", r"enormes?",
        r"muchos", r"muchas", r"mucho", r"gran cantidad", r"numeros[oa]s", r"bastantes",
        r"varios", r"varias", r"notable(?:s|mente)?", r"cada vez más",
        r"muy (?:buenos|buenas|positiv[oa]s?)", r"fuerte (?:crecimiento|demanda)",
        r"la mayoría de", r"un (?:gran|fuerte) (?:impacto|aumento|crecimiento)",
    ),
    passive=(
        r"\b" + _SER + r"\s+(?:\w+mente\s+)?"
        r"(?!(?:nada|vida|medidas?|salida|partida|comida|todo|bienvenid[oa]s?)\b)"
        r"\w+(?:ado|ada|ados|adas|ido|ida|idos|idas)\b"
    ),
    ask=(
        r"solicito", r"solicitamos", r"(?:le|les|os|te) pido", r"pedimos",
        r"necesito (?:su|tu|vuestra) (?:aprobación|decisión|respuesta|visto bueno)",
        r"por favor,? (?:aprueb|confirm|decid|firm|respond|indic|envi)\w*",
        r"aprob(?:ar|ación|éis|ad|emos)", r"apruebe\w*", r"visto bueno", r"luz verde",
        r"decisión (?:antes|para)",
    ),
    soft_ask=(
        r"(?:me|nos) (?:decís|dices|dicen)", r"decidme", r"(?:vuestros|sus|tus) comentarios",
        r"qué (?:opináis|opinas|os parece|te parece|les parece)",
        r"cualquier (?:sugerencia|comentario)", r"(?:podemos|lo) (?:hablar|comentamos|comentar)",
        r"os mantendré informados",
    ),
    deadline=(
        r"antes del? (?:fin|final|cierre|próximo)",
        r"(?:a )?(?:fin|final) de (?:mes|semana|trimestre|año)", r"mañana",
        r"(?:esta|la próxima) semana", r"en \d+ días", r"plazo", r"a más tardar",
        r"no más tarde de", r"antes de la (?:reunión|junta|revisión)",
    ),
    months=(
        "enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto", "septiembre",
        "setiembre", "octubre", "noviembre", "diciembre",
    ),
    weekdays=("lunes", "martes", "miércoles", "jueves", "viernes", "sábado", "domingo"),
    owner=(
        r"@[\w.-]+", r"responsables?:?", r"a cargo de", r"lidera", r"encargad[oa]s?",
        r"dueñ[oa]:?",
    ),
    next_steps=(
        r"próximos pasos", r"siguientes pasos", r"acciones", r"calendario", r"plan de acción",
        r"plan", r"responsables",
    ),
    risk=(
        r"riesgos?", r"arriesgad[oa]", r"peligros?", r"amenazas?", r"podría fallar",
        r"si (?:\w+ ){1,6}(?:falla|fallan|se retrasa|no funciona|cae|baja)",
        r"(?:podría|puede|podrían|pueden) (?:retrasar|subir|bajar|caer|aumentar|fallar|"
        r"afectar|dañar|perder)\w*",
        r"en el peor (?:caso|escenario)", r"incertidumbre", r"preocupación", r"desventajas?",
    ),
    mitigation=(
        r"mitig\w*", r"plan b", r"plan de contingencia", r"contingencia", r"limitar",
        r"reducir el riesgo", r"piloto", r"por fases", r"fase", r"revertir", r"marcha atrás",
        r"vigila\w*", r"monitoriz\w*", r"umbral", r"tope", r"salvaguarda", r"punto de control",
    ),
    cost=(
        r"costes?", r"costos?", r"presupuesto", r"gasto", r"inversión", r"esfuerzo",
        r"ahorr\w+", r"cuotas?", r"tarifas?", r"(?:semanas|meses|días) de (?:trabajo|esfuerzo)",
        r"horas de trabajo", r"precio",
    ),
    alternative=(
        r"alternativas?", r"(?:otra|otras|dos|tres|la) opci(?:ón|ones)", r"en lugar de",
        r"en vez de", r"descarta\w*",
        r"consideramos", r"frente a", r"no hacer nada", r"compensación", r"de lo contrario",
    ),
    source=(
        r"según", r"fuente:?", r"datos de", r"encuesta", r"informe", r"auditoría",
        r"estudio", r"panel de",
    ),
    assumption=(
        r"supuestos?", r"asum\w+", r"suponiendo", r"estimaci(?:ón|ones)", r"previsión",
        r"estimad[oa]s?",
    ),
    comparison=(
        r"desde", r"frente a", r"respecto", r"comparado", r"más que", r"menos que",
        r"por (?:cliente|usuario|mes|año|semana|persona|cuenta|pedido|unidad|empleado)",
        r"al (?:año|mes|día)", r"anual(?:es)?", r"mensual(?:es)?", r"interanual",
        r"que el año pasado", r"anterior", r"objetivo", r"media", r"de [\d.,]+ a [\d.,]+",
    ),
    split_after=(";", ", y", ", pero", ", así que", " y", " pero"),
    clause_start=r"(?:yo|nosotros|el|la|los|las|esto|este|esta|hay|se|no|nuestr[oa]s?|es)\b",
    drop_on_split=("y", "así que"),
    long_sentence_words=30,
    very_long_sentence_words=40,
)
# fmt: on
