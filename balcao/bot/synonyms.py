"""Domain vocabulary for the bot's retriever: synonyms and stop words, as data.

Kept apart from the scoring code so a knowledge manager (or a later issue) can extend it
without touching the retriever. Every entry is written *folded* (lower case, no accents),
the form produced by :func:`balcao.textnorm.tokens`.

Synonym groups map every phrasing to one canonical word **before stemming**, both when the
articles are indexed and when a question is read, so "logotipo", "logomarca" and "marca"
become the same term and "boleto" finds an article that only says "GRU". Multi-word phrasings
are matched longest first. Groups are generic to industrial property and public service
desks (INPI's vocabulary: seed ``000_…txt``), not to the demo articles.
"""

from __future__ import annotations

# canonical word -> phrasings (folded; one or more words each). Per language family.
SYNONYMS_PT: dict[str, tuple[str, ...]] = {
    "marca": (
        "logotipo",
        "logomarca",
        "logo",
        "logotipos",
        "logomarcas",
        "nome comercial",
        "nome fantasia",
        "nome da empresa",
        "nome do meu negocio",
        "grife",
        "brand",
    ),
    "gru": (
        "boleto",
        "boletos",
        "guia de recolhimento da uniao",
        "guia de recolhimento",
        "guia de pagamento",
        "guia",
        "guias",
        "retribuicao",
        "retribuicoes",
        "emolumento",
        "emolumentos",
    ),
    "taxa": (
        "taxas",
        "tarifa",
        "tarifas",
        "valor cobrado",
        "preco",
        "precos",
        "custo",
        "custos",
        "custa",
        "custam",
        "pagar",
        "pagamento",
        "pagamentos",
        "pago",
    ),
    "patente": (
        "invencao",
        "invencoes",
        "inventar",
        "inventei",
        "invento",
        "inventos",
        "modelo de utilidade",
        "carta patente",
        "patentear",
        "patenteado",
    ),
    "pedido": (
        "processo",
        "processos",
        "requerimento",
        "requerimentos",
        "solicitacao de registro",
        "deposito",
        "depositos",
        "depositar",
        "depositei",
        "protocolo",
        "protocolei",
        "protocolar",
    ),
    "desenho": (
        "design",
        "desenho industrial",
        "di",
        "formato do produto",
        "forma do produto",
        "aparencia do produto",
    ),
    "software": (
        "programa de computador",
        "programas de computador",
        "aplicativo",
        "aplicativos",
        "app",
        "apps",
        "codigo fonte",
        "sistema que desenvolvi",
    ),
    "ig": (
        "indicacao geografica",
        "indicacoes geograficas",
        "indicacao de procedencia",
        "denominacao de origem",
    ),
    "rpi": (
        "revista da propriedade industrial",
        "revista do inpi",
        "revista",
        "publicacao",
        "publicacoes",
        "publicado",
        "publicada",
        "publicar",
        "publicou",
        "diario",
    ),
    "einpi": ("e inpi", "e-inpi", "cadastro no inpi", "sistema do inpi", "peticionamento"),
    "senha": ("password", "login", "logar", "acesso ao sistema", "entrar no sistema"),
    "anterioridade": (
        "busca previa",
        "pesquisa previa",
        "buscaweb",
        "busca web",
        "pesquisa de marca",
        "pesquisar marca",
        "busca de marca",
        "ja existe",
        "ja registrada",
        "ja tem dono",
        "alguem ja registrou",
    ),
    "prazo": (
        "quanto tempo",
        "demora",
        "demorando",
        "demorar",
        "demorado",
        "prazos",
        "tempo de analise",
        "vencimento",
        "vence",
        "venceu",
    ),
    "recurso": (
        "recorrer",
        "contestar",
        "indeferimento",
        "indeferido",
        "indeferida",
        "negado",
        "negada",
        "negaram",
        "recursos",
    ),
    "contrato": (
        "transferencia de tecnologia",
        "licenciamento",
        "licenca de uso",
        "franquia",
        "franquias",
        "royalties",
        "contratos",
        "averbacao",
        "averbar",
    ),
    "ouvidoria": (
        "reclamacao",
        "reclamar",
        "denuncia",
        "denunciar",
        "elogio",
        "sugestao",
        "ouvidor",
        "fala br",
        "falabr",
    ),
    "sic": (
        "lai",
        "lei de acesso a informacao",
        "acesso a informacao",
        "servico de informacao ao" " cidadao",
        "pedido de informacao",
    ),
    "procurador": (
        "advogado",
        "advogada",
        "agente de propriedade industrial",
        "despachante",
        "representante",
        "procuracao",
    ),
    "acompanhar": (
        "acompanhamento",
        "consultar andamento",
        "andamento",
        "status",
        "situacao",
        "consultar o pedido",
        "ver o pedido",
    ),
    "atendente": ("atendimento humano", "pessoa", "humano", "operador", "servidor do inpi"),
    "videochamada": (
        "conecta todos",
        "inpi conecta todos",
        "video chamada",
        "chamada de video",
        "videoconferencia",
        "reuniao online",
    ),
    "cnpj": ("pessoa juridica", "empresa", "empresas"),
    "cpf": ("pessoa fisica",),
    "microempresa": (
        "mei",
        "microempreendedor",
        "microempreendedor individual",
        "epp",
        "empresa de pequeno porte",
        "pequena empresa",
    ),
    "desconto": (
        "descontos",
        "reducao",
        "isencao",
        "isento",
        "mais barato",
        "gratuito",
        "gratis",
        "de graca",
    ),
}

SYNONYMS_EN: dict[str, tuple[str, ...]] = {
    "trademark": (
        "trade mark",
        "trademarks",
        "brand",
        "brands",
        "logo",
        "logos",
        "brand name",
        "business name",
        "mark",
        "marks",
    ),
    "gru": ("payment slip", "payment form", "boleto", "invoice", "bill"),
    "fee": (
        "fees",
        "cost",
        "costs",
        "price",
        "prices",
        "charge",
        "charges",
        "pay",
        "payment",
        "payments",
        "paid",
        "how much",
    ),
    "patent": (
        "patents",
        "invention",
        "inventions",
        "invent",
        "invented",
        "utility model",
        "patenting",
        "patented",
    ),
    "application": ("applications", "filing", "file", "filed", "request", "process", "proceeding"),
    "design": ("industrial design", "designs", "product shape", "product appearance"),
    "software": ("computer program", "computer programs", "app", "apps", "source code", "program"),
    "gi": (
        "geographical indication",
        "geographical indications",
        "indication of origin",
        "appellation of origin",
        "designation of origin",
    ),
    "rpi": (
        "industrial property journal",
        "official journal",
        "gazette",
        "journal",
        "publication",
        "published",
        "publish",
    ),
    "einpi": ("e inpi", "e-inpi", "online system", "portal login"),
    "deadline": (
        "how long",
        "time limit",
        "deadlines",
        "take",
        "takes",
        "waiting time",
        "due date",
    ),
    "appeal": ("appeals", "rejected", "rejection", "refused", "refusal", "denied", "contest"),
    "search": (
        "prior art",
        "clearance search",
        "already registered",
        "already exists",
        "availability",
        "available",
        "searching",
    ),
    "ombudsman": ("complaint", "complain", "ombudsperson"),
    "attorney": ("lawyer", "agent", "representative", "power of attorney"),
    "track": ("tracking", "status", "progress", "follow", "following"),
    "discount": ("discounts", "reduction", "reduced", "cheaper", "free", "exemption"),
    "contract": (
        "technology transfer",
        "licensing",
        "licence",
        "license",
        "franchise",
        "royalties",
        "contracts",
    ),
}

# Stop words: function words plus the fillers people put around a question ("gostaria de
# saber", "por favor", greetings). Removing them leaves the terms that carry the subject, so
# a greeting alone has no terms and is refused (the engine then greets back).
STOP_WORDS_PT: frozenset[str] = frozenset(
    """
    a o as os um uma uns umas de do da dos das d em no na nos nas num numa ao aos pelo
    pela pelos pelas por para pra pro pros pras com sem sob sobre ate apos entre e ou
    mas nem que se ja nao sim tambem so mais menos muito muita muitos muitas pouco eu tu
    ele ela vos eles elas me te lhe mim ti comigo voce voces vc vcs cs meu minha meus
    minhas teu tua seu sua seus suas nosso nossa nossos nossas dele dela este esta estes
    estas esse essa esses essas isto isso aquilo aquele aquela como qual quais quem onde
    quando porque pq oque quanto quantos quanta quantas ser sou es somos sao era foi fui
    estar estou estao estava tem tenho tinha ter ha haver havia vai vou vamos ir fazer
    faco faz fiz feito fazendo posso pode podem poderia devo deve devem preciso precisa
    precisamos precisaria necessario quero queria gostaria saber sei sabe informar
    informacao informacoes duvida duvidas ajuda ajudar ajude favor porfavor obrigado
    obrigada obg vlw valeu ola oi oie opa eai ei bom boa dia tarde noite tudo bem beleza
    blz alo hello hi hey aqui ali la entao assim agora ainda depois antes sempre nunca
    algum alguma alguns algumas outro outra outros outras todo toda todos todas cada
    qualquer mesmo mesma caso coisa coisas etc ne tipo ta to tou pois certo ok okay qnto
    qto qnt oq q tb tbm pf pfv agr hj msm ver vejo funciona funcionar funcionamento
    """.split()
)

STOP_WORDS_EN: frozenset[str] = frozenset(
    """
    a an the of to in on at by for from with without about into over under up down and
    or but nor so if then than that this these those there here it its is are was were
    be been being am do does did doing done have has had having can could should would
    will shall may might must i me my mine we us our you your yours he him his she her
    they them their what which who whom whose where when why how not no yes please
    thanks thank hi hello hey dear good morning afternoon evening want wanted need needs
    know tell help just also very much many some any all get got make made go going let
    like kindly regarding ok okay whats hows im dont wanna works work working
    """.split()
)

STOP_WORDS: dict[str, frozenset[str]] = {"pt": STOP_WORDS_PT, "en": STOP_WORDS_EN}
SYNONYMS: dict[str, dict[str, tuple[str, ...]]] = {"pt": SYNONYMS_PT, "en": SYNONYMS_EN}
