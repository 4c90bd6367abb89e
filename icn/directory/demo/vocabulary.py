"""Words the demo network is written with: areas, names, blurbs, partners, the applicant."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from icn.core.visibility import Visibility
from icn.directory.demo.rows import ApplicationRow
from icn.directory.models import (
    OrganisationKind,
)

Kind = OrganisationKind
V = Visibility

# What the generated members work on -----------------------------------------------------------


@dataclass(frozen=True)
class Area:
    """A cleantech area of the taxonomy and the words to describe companies in it."""

    slug: str
    phrase: str
    name_words: tuple[str, ...]
    # (product or service, sub-topic slug it belongs to)
    products: tuple[tuple[str, str], ...]
    customers: tuple[str, ...]
    research: str
    research_label: str
    policy: str
    public_unit: str
    nace_codes: tuple[str, ...]
    sdgs: tuple[int, ...]


AREAS: tuple[Area, ...] = (
    Area(
        slug="energy-efficiency",
        phrase="energy efficiency",
        name_words=("Energy", "Efficiency", "Controls", "Systems"),
        products=(
            (
                "sensor kits that find energy waste on factory floors",
                "industrial-energy-efficiency",
            ),
            ("heat-recovery units for industrial processes", "industrial-energy-efficiency"),
            (
                "software that shifts buildings' power use to off-peak hours",
                "smart-grids-and-demand-response",
            ),
            ("variable-speed drive retrofits for pumps and fans", "industrial-energy-efficiency"),
            (
                "flexible loads that help grid operators balance supply and demand",
                "smart-grids-and-demand-response",
            ),
        ),
        customers=("manufacturers", "food processors", "facility managers", "grid operators"),
        research="energy efficiency in industry and buildings",
        research_label="Energy Systems",
        policy="energy savings in public buildings",
        public_unit="Energy Agency",
        nace_codes=("71.12", "43.21", "26.51", "27.12", "33.20"),
        sdgs=(7, 9, 13),
    ),
    Area(
        slug="renewable-energy",
        phrase="renewable energy",
        name_words=("Solar", "Wind", "Renewables", "Power"),
        products=(
            ("rooftop solar systems for commercial buildings", "solar-power"),
            ("floating solar plants for reservoirs and quarry lakes", "solar-power"),
            ("monitoring software that predicts faults in wind turbines", "wind-power"),
            ("blade inspection and repair for wind farms", "wind-power"),
            ("biogas plants that run on manure and food waste", "bioenergy"),
            ("shallow geothermal wells and heat pumps for new districts", "geothermal-energy"),
        ),
        customers=("utilities", "farmers", "housing associations", "industrial estates"),
        research="solar, wind and bioenergy systems",
        research_label="Renewable Energy",
        policy="the switch to renewable power",
        public_unit="Energy Agency",
        nace_codes=("35.12", "43.21", "28.11", "33.14", "71.12"),
        sdgs=(7, 13),
    ),
    Area(
        slug="hydrogen",
        phrase="hydrogen",
        name_words=("Hydrogen", "H2", "Electrolysis", "Fuel Cells"),
        products=(
            ("containerised electrolysers for industrial sites", "green-hydrogen-production"),
            (
                "control software that runs electrolysers when renewable power is cheap",
                "green-hydrogen-production",
            ),
            (
                "hydrogen refuelling stations for buses and trucks",
                "hydrogen-storage-and-distribution",
            ),
            (
                "composite tanks for storing and moving hydrogen",
                "hydrogen-storage-and-distribution",
            ),
            (
                "leak sensors for hydrogen pipelines and storage",
                "hydrogen-storage-and-distribution",
            ),
        ),
        customers=(
            "ports and logistics hubs",
            "steel and fertiliser producers",
            "bus and truck fleets",
            "industrial gas users",
        ),
        research="hydrogen production, storage and fuel cells",
        research_label="Hydrogen Technologies",
        policy="a regional hydrogen valley",
        public_unit="Hydrogen Office",
        nace_codes=("20.11", "27.90", "35.21", "71.12", "28.29"),
        sdgs=(7, 9, 13),
    ),
    Area(
        slug="carbon-capture-utilisation-and-storage",
        phrase="carbon capture and storage",
        name_words=("Carbon", "Capture", "CO2 Solutions"),
        products=(
            ("modular carbon capture units for cement and lime kilns", ""),
            ("processes that lock captured CO2 into building aggregates", ""),
            ("monitoring services for CO2 storage sites", ""),
            ("catalysts that turn captured CO2 into methanol", ""),
        ),
        customers=(
            "cement plants",
            "waste-to-energy plants",
            "chemical producers",
            "biogas upgraders",
        ),
        research="carbon capture, use and storage",
        research_label="Carbon Management",
        policy="cutting emissions from heavy industry",
        public_unit="Industrial Transition Office",
        nace_codes=("71.12", "20.11", "39.00", "72.10", "28.29"),
        sdgs=(9, 13),
    ),
    Area(
        slug="water-and-sanitation",
        phrase="clean water",
        name_words=("Water", "Water Technologies", "Membranes"),
        products=(
            ("membrane filters that recover nutrients from wastewater", "wastewater-treatment"),
            ("compact treatment plants for small communities", "wastewater-treatment"),
            ("acoustic leak detection for drinking-water networks", "water-efficiency"),
            ("smart irrigation controllers", "water-efficiency"),
            ("water recycling systems for factories", "water-efficiency"),
        ),
        customers=("water utilities", "food and beverage plants", "farmers", "municipalities"),
        research="water treatment and water reuse",
        research_label="Water Technology",
        policy="clean water and wastewater services",
        public_unit="Water Authority",
        nace_codes=("36.00", "37.00", "42.91", "28.29", "71.12"),
        sdgs=(6, 14),
    ),
    Area(
        slug="circular-economy-and-industrial-symbiosis",
        phrase="the circular economy",
        name_words=("Recycling", "Materials", "Circular"),
        products=(
            ("sorting lines that recover plastics from mixed waste", "waste-and-recycling"),
            ("recycling of lithium-ion batteries", "waste-and-recycling"),
            ("take-back and refurbishment of office electronics", "waste-and-recycling"),
            ("a marketplace for industrial by-products and surplus heat", "industrial-symbiosis"),
            ("packaging made from agricultural residues", "bio-based-materials"),
            ("bio-based insulation and composites", "bio-based-materials"),
        ),
        customers=("retailers", "manufacturers", "waste companies", "industrial parks"),
        research="circular materials and recycling processes",
        research_label="Circular Materials",
        policy="waste prevention and recycling",
        public_unit="Waste and Resources Agency",
        nace_codes=("38.21", "38.11", "38.23", "46.87", "22.26"),
        sdgs=(12, 9),
    ),
    Area(
        slug="sustainable-mobility",
        phrase="sustainable mobility",
        name_words=("Mobility", "Charging", "Marine", "Transport"),
        products=(
            ("fast chargers for electric cars and vans", "electric-vehicles-and-charging"),
            (
                "fleet software that plans when electric buses charge",
                "electric-vehicles-and-charging",
            ),
            ("shore power connections for ships in port", "maritime-and-port-decarbonisation"),
            ("battery-electric work boats and ferries", "maritime-and-port-decarbonisation"),
            ("electric cargo bikes for city logistics", ""),
        ),
        customers=("bus operators", "ports", "logistics companies", "municipal fleets"),
        research="electric and low-emission transport",
        research_label="Sustainable Transport",
        policy="clean public transport",
        public_unit="Transport Agency",
        nace_codes=("29.10", "29.31", "27.20", "52.22", "30.11", "43.21"),
        sdgs=(11, 13, 7),
    ),
    Area(
        slug="buildings",
        phrase="sustainable buildings",
        name_words=("Building Solutions", "Renovation", "Timber", "Facades"),
        products=(
            ("deep energy renovation packages for apartment blocks", "energy-renovation"),
            ("prefabricated insulated facade panels", "energy-renovation"),
            ("low-carbon concrete", "sustainable-construction-materials"),
            ("cross-laminated timber building systems", "sustainable-construction-materials"),
            ("digital twins that help run buildings efficiently", ""),
        ),
        customers=(
            "housing associations",
            "property developers",
            "municipalities",
            "construction companies",
        ),
        research="energy-efficient buildings and low-carbon materials",
        research_label="Sustainable Buildings",
        policy="renovating the public building stock",
        public_unit="Buildings Department",
        nace_codes=("41.00", "43.23", "71.11", "23.61", "71.12"),
        sdgs=(11, 7, 12),
    ),
    Area(
        slug="district-heating-and-cooling",
        phrase="district heating and cooling",
        name_words=("Heat", "Thermal", "Heat Pumps"),
        products=(
            ("large heat pumps for district heating networks", ""),
            ("seasonal heat storage in pits and tanks", ""),
            ("software that balances district heating networks", ""),
            ("district cooling with seawater", ""),
            ("recovery of surplus heat from data centres", ""),
        ),
        customers=(
            "district heating companies",
            "municipalities",
            "data centres",
            "industrial sites",
        ),
        research="thermal networks and heat storage",
        research_label="Thermal Energy",
        policy="the city's heat plan",
        public_unit="Heat Planning Office",
        nace_codes=("35.30", "43.22", "28.21", "28.25", "71.12"),
        sdgs=(7, 11, 13),
    ),
    Area(
        slug="smart-cities",
        phrase="smart cities",
        name_words=("Analytics", "Urban Data", "Digital"),
        products=(
            ("an urban data platform for traffic, air and energy data", "urban-data-platforms"),
            ("sensors that measure air quality street by street", "urban-data-platforms"),
            ("smart street lighting that dims when streets are empty", ""),
            ("digital tools for citizen participation in climate plans", ""),
        ),
        customers=("municipalities", "utilities", "property owners", "transport authorities"),
        research="urban data and digital services for cities",
        research_label="Urban Informatics",
        policy="its smart city programme",
        public_unit="Smart City Office",
        nace_codes=("62.10", "63.10", "62.20", "26.51", "27.40"),
        sdgs=(11, 9),
    ),
    Area(
        slug="sustainable-tourism",
        phrase="sustainable tourism",
        name_words=("Travel", "Eco Tours", "Hospitality"),
        products=(
            ("booking tools that show the carbon footprint of a trip", ""),
            ("low-impact guided tours by electric boat and bike", ""),
            ("energy and water savings programmes for hotels", ""),
        ),
        customers=("hotels", "tour operators", "destinations", "event organisers"),
        research="sustainable tourism and destinations",
        research_label="Sustainable Tourism",
        policy="a sustainable visitor economy",
        public_unit="Visitor Board",
        nace_codes=("79.12", "55.10", "79.11", "82.30"),
        sdgs=(8, 12, 14),
    ),
    Area(
        slug="agri-food",
        phrase="sustainable food",
        name_words=("Farms", "Foods", "AgriTech", "Greens"),
        products=(
            ("vertical farms that grow greens close to cities", "sustainable-food-production"),
            ("sensors and software for precision farming", "sustainable-food-production"),
            ("plant-based protein from local crops", "sustainable-food-production"),
            ("animal feed made from food waste", ""),
        ),
        customers=("farmers", "food producers", "supermarkets", "restaurants"),
        research="sustainable food production",
        research_label="Food Systems",
        policy="a local and sustainable food supply",
        public_unit="Food Programme",
        nace_codes=("01.13", "10.89", "28.30", "01.61", "10.91"),
        sdgs=(2, 12),
    ),
    Area(
        slug="climate-adaptation",
        phrase="climate adaptation",
        name_words=("Climate Services", "Resilience", "Water Management"),
        products=(
            (
                "rain gardens and green roofs that hold back stormwater",
                "flood-and-stormwater-management",
            ),
            ("flood forecasting for cities and utilities", "flood-and-stormwater-management"),
            ("climate risk maps for property owners and insurers", ""),
            ("shading and cooling for urban heat islands", ""),
        ),
        customers=("municipalities", "water utilities", "insurers", "property owners"),
        research="climate risk and adaptation",
        research_label="Climate Resilience",
        policy="climate adaptation and flood protection",
        public_unit="Climate Adaptation Office",
        nace_codes=("42.91", "71.12", "39.00", "81.30", "66.21"),
        sdgs=(13, 11, 15),
    ),
)
AREAS_BY_SLUG = {area.slug: area for area in AREAS}

# The CSV notes two clusters' focus; the others get areas drawn at random.
FOCUS_HINTS: dict[str, tuple[str, ...]] = {
    "nordic-edge": ("smart-cities", "buildings", "sustainable-mobility"),
    "le2c": ("renewable-energy", "energy-efficiency", "smart-cities"),
}

KIND_NACE: dict[str, tuple[str, ...]] = {
    Kind.PUBLIC_AUTHORITY: ("84.11", "84.13"),
    Kind.RESEARCH: ("72.10", "85.40"),
    Kind.FUNDER: ("64.92", "64.99", "66.30"),
    Kind.NGO: ("94.99", "94.11"),
}
# Shares of a cluster's members by kind, at least one of each; SMEs take the rest.
KIND_SHARES: dict[str, float] = {
    Kind.LARGE_COMPANY: 0.07,
    Kind.PUBLIC_AUTHORITY: 0.07,
    Kind.RESEARCH: 0.09,
    Kind.FUNDER: 0.03,
    Kind.NGO: 0.06,
}
KIND_SIZES: dict[str, tuple[tuple[str, int], ...]] = {
    Kind.SME: (("micro", 45), ("small", 40), ("medium", 15)),
    Kind.LARGE_COMPANY: (("large", 1),),
    Kind.PUBLIC_AUTHORITY: (("medium", 1), ("large", 2)),
    Kind.RESEARCH: (("medium", 2), ("large", 1)),
    Kind.FUNDER: (("micro", 1), ("small", 2)),
    Kind.NGO: (("micro", 2), ("small", 1)),
}
VISIBILITY_WEIGHTS = ((V.PUBLIC, 40), (V.NETWORK, 35), (V.CLUSTER, 15), (V.PRIVATE, 10))
JOB_TITLES: dict[str, tuple[str, ...]] = {
    Kind.SME: (
        "Founder and CEO",
        "CTO",
        "Head of Business Development",
        "Project Manager",
        "Sales Director",
        "Lead Engineer",
        "Head of Partnerships",
    ),
    Kind.LARGE_COMPANY: (
        "Head of Innovation",
        "Sustainability Director",
        "Business Development Manager",
        "Senior Project Engineer",
        "Open Innovation Lead",
    ),
    Kind.PUBLIC_AUTHORITY: (
        "Climate Coordinator",
        "Head of Energy Planning",
        "Project Manager",
        "Environmental Officer",
        "Innovation Procurement Officer",
    ),
    Kind.RESEARCH: (
        "Professor",
        "Senior Researcher",
        "Head of Department",
        "Research Engineer",
        "Technology Transfer Officer",
    ),
    Kind.FUNDER: ("Investment Manager", "Partner", "Investment Analyst"),
    Kind.NGO: ("Director", "Programme Manager", "Project Coordinator", "Policy Officer"),
}

# The towns member organisations sit in, by cluster; the cluster's own city comes first.
REGION_CITIES: dict[str, tuple[str, ...]] = {
    "clean": ("Copenhagen", "Frederiksberg", "Roskilde", "Hillerød", "Lyngby", "Køge", "Odense"),
    "tweed": ("Liège", "Namur", "Charleroi", "Mons", "Louvain-la-Neuve", "Seraing", "Verviers"),
    "nordic-edge": ("Stavanger", "Sandnes", "Sola", "Haugesund", "Bergen", "Egersund"),
    "clean-tech-delta": ("Delft", "Rotterdam", "The Hague", "Leiden", "Schiedam", "Zoetermeer"),
    "sbh": ("Malmö", "Lund", "Helsingborg", "Landskrona", "Trelleborg", "Kristianstad"),
    "greentech-south": ("Brighton", "Hove", "Worthing", "Lewes", "Crawley", "Chichester"),
    "le2c": ("Milan", "Bergamo", "Brescia", "Monza", "Pavia", "Como", "Varese"),
    "green-tech-cluster": ("Graz", "Leoben", "Weiz", "Kapfenberg", "Gleisdorf", "Leibnitz"),
    "ccec": ("Denver", "Boulder", "Golden", "Aurora", "Lakewood", "Fort Collins", "Longmont"),
    "rtcc": ("Raleigh", "Durham", "Cary", "Chapel Hill", "Morrisville", "Wake Forest"),
    "oreec": ("Oslo", "Lillestrøm", "Asker", "Sandvika", "Drammen", "Fredrikstad"),
    "basque-energy": ("Bilbao", "Barakaldo", "Getxo", "Vitoria-Gasteiz", "Donostia", "Durango"),
    "singapore": ("Singapore",),
    "greencape": ("Cape Town", "Stellenbosch", "Paarl", "Somerset West", "Saldanha", "George"),
}


# Given names and family names by country; some countries have more than one naming tradition.
def _names(text: str) -> tuple[str, ...]:
    return tuple(name.strip() for name in text.split(","))


# Given names and family names by country; some countries have more than one naming tradition.
NAMES: dict[str, tuple[tuple[tuple[str, ...], tuple[str, ...]], ...]] = {
    "DK": (
        (
            _names(
                "Anders, Mette, Søren, Camilla, Rasmus, Louise, Mikkel, Sofie, Jesper, Line, "
                "Henrik, Ida, Kasper, Maria, Frederik, Signe"
            ),
            _names(
                "Jensen, Nielsen, Hansen, Pedersen, Andersen, Christensen, Larsen, Sørensen, "
                "Rasmussen, Jørgensen, Madsen, Kristensen, Thomsen, Poulsen"
            ),
        ),
    ),
    "BE": (
        (
            _names(
                "Julien, Sophie, Maxime, Camille, Nicolas, Julie, Thomas, Marie, Antoine, Laura, "
                "François, Élodie, Pierre, Charlotte, Olivier"
            ),
            _names(
                "Dubois, Lambert, Dupont, Martin, Simon, Laurent, Leclercq, Lejeune, Renard, "
                "Collard, Dumont, Goffin, Lemaire, Delvaux, Jacobs"
            ),
        ),
    ),
    "NO": (
        (
            _names(
                "Ole, Ingrid, Lars, Kari, Eirik, Silje, Magnus, Ingvild, Håkon, Marte, Sindre, "
                "Hilde, Erlend, Guro, Torbjørn, Ragnhild"
            ),
            _names(
                "Hansen, Johansen, Olsen, Larsen, Nilsen, Berg, Haugen, Hagen, Solberg, Eide, "
                "Bakke, Dahl, Lie, Tveit, Sætre, Aasen"
            ),
        ),
    ),
    "NL": (
        (
            _names(
                "Daan, Sanne, Bram, Lotte, Thijs, Eva, Joris, Anouk, Ruben, Fleur, Pieter, "
                "Marieke, Sander, Femke, Koen, Iris"
            ),
            _names(
                "de Jong, Jansen, de Vries, van den Berg, van Dijk, Bakker, Visser, Smit, Meijer, "
                "de Boer, Mulder, de Graaf, Bos, Vos, Hendriks"
            ),
        ),
    ),
    "SE": (
        (
            _names(
                "Erik, Anna, Johan, Elin, Oskar, Karin, Maja, Fredrik, Sara, Gustav, Linnea, "
                "Henrik, Ebba, Mattias, Frida, Per"
            ),
            _names(
                "Andersson, Johansson, Karlsson, Nilsson, Eriksson, Larsson, Olsson, Persson, "
                "Svensson, Gustafsson, Lindberg, Lindqvist, Bergström, Sjöberg"
            ),
        ),
    ),
    "GB": (
        (
            _names(
                "James, Emily, Oliver, Charlotte, Harry, Sophie, Thomas, Hannah, George, Lucy, "
                "William, Grace, Daniel, Amelia, Samuel, Priya"
            ),
            _names(
                "Smith, Jones, Taylor, Brown, Williams, Wilson, Johnson, Davies, Evans, Roberts, "
                "Walker, Wright, Hughes, Green, Hall, Patel"
            ),
        ),
    ),
    "US": (
        (
            _names(
                "Michael, Jessica, David, Ashley, Chris, Sarah, Matthew, Emily, Ryan, Megan, "
                "Kevin, Lauren, Brian, Rachel, Jason, Maria"
            ),
            _names(
                "Miller, Davis, Garcia, Rodriguez, Martinez, Anderson, Thompson, Moore, Jackson, "
                "White, Harris, Clark, Lewis, Robinson, Nguyen"
            ),
        ),
    ),
    "IT": (
        (
            _names(
                "Marco, Giulia, Luca, Francesca, Alessandro, Chiara, Andrea, Sara, Matteo, Elena, "
                "Davide, Valentina, Stefano, Federica, Paolo, Martina"
            ),
            _names(
                "Rossi, Russo, Ferrari, Esposito, Bianchi, Romano, Colombo, Ricci, Marino, Greco, "
                "Bruno, Gallo, Conti, Costa, Fontana, Moretti"
            ),
        ),
    ),
    "AT": (
        (
            _names(
                "Lukas, Anna, Florian, Katharina, Stefan, Lisa, Markus, Julia, Michael, Sabine, "
                "Christoph, Theresa, Andreas, Magdalena, Verena"
            ),
            _names(
                "Gruber, Huber, Bauer, Wagner, Pichler, Steiner, Moser, Mayer, Hofer, Leitner, "
                "Berger, Fuchs, Eder, Schmid, Winkler, Müller"
            ),
        ),
    ),
    "ES": (
        (
            _names(
                "Iker, Ane, Jon, Maite, Unai, Leire, Mikel, Amaia, Asier, Nerea, Javier, Lucía, "
                "Ainhoa, Gorka, Itziar, Carlos"
            ),
            _names(
                "Etxeberria, García, Agirre, Uriarte, Fernández, Arrieta, López, Goikoetxea, "
                "Martínez, Aranburu, Sánchez, Ibarra, Olabarria, Elorza"
            ),
        ),
    ),
    "SG": (
        (
            _names("Wei Ling, Jun Jie, Hui Min, Kai Wen, Mei Ling, Jia Hui, Zhi Hao"),
            _names("Tan, Lim, Lee, Ng, Wong, Goh, Chua, Koh, Teo, Ong"),
        ),
        (
            _names("Siti, Muhammad, Nurul, Farah, Ahmad, Aisyah, Hafiz"),
            _names("Abdullah, Rahman, Ismail, Hassan, Ibrahim, Osman"),
        ),
        (
            _names("Arjun, Priya, Ravi, Rajesh, Anita, Vikram, Kavitha"),
            _names("Kumar, Nair, Pillai, Menon, Krishnan, Raj"),
        ),
    ),
    "ZA": (
        (
            _names("Pieter, Annelie, Johan, Carla, Willem, Liezl, Ruan, Michelle, Sarah, David"),
            _names(
                "van der Merwe, Botha, Pretorius, Nel, du Plessis, Smith, Jacobs, Adams, Fourie, "
                "Williams"
            ),
        ),
        (
            _names("Sipho, Thandiwe, Lwazi, Nomsa, Andile, Zanele, Thabo, Lindiwe"),
            _names("Dlamini, Nkosi, Mokoena, Ndlovu, Mahlangu, Khumalo, Mthembu, Sithole"),
        ),
    ),
}

LEGAL_FORMS: dict[str, tuple[str, str]] = {  # (small company, large company)
    "DK": ("ApS", "A/S"),
    "BE": ("SRL", "SA"),
    "NO": ("AS", "ASA"),
    "NL": ("B.V.", "N.V."),
    "SE": ("AB", "AB"),
    "GB": ("Ltd", "plc"),
    "IT": ("S.r.l.", "S.p.A."),
    "AT": ("GmbH", "AG"),
    "US": ("Inc.", "Corporation"),
    "ES": ("S.L.", "S.A."),
    "SG": ("Pte Ltd", "Ltd"),
    "ZA": ("(Pty) Ltd", "Ltd"),
}
STEM_STARTS = _names(
    "Aero, Aqua, Arc, Bio, Blue, Boreal, Carbo, Clear, Eco, Ener, Evo, Geo, Green, Helio, Hydro, "
    "Kelvin, Lumen, Mare, Nord, Nova, Ocea, Polar, Pure, Sol, Sylva, Terra, Therm, Verde, Vita, "
    "Volt, Zephyr"
)
STEM_ENDS = _names(
    "bridge, cell, core, crest, field, flow, flux, gen, grid, line, link, loop, mark, nest, path, "
    "point, shift, sense, stream, tek, wave, way, leaf, stone, spring, vale"
)
COMPANY_WORDS = _names("Technologies, Solutions, Systems, Labs, Engineering")
LARGE_WORDS = _names("Group, Industries, Energy Group, Engineering Group, Holding")
THE_COUNTRY = {"US": "the United States", "GB": "the United Kingdom", "NL": "the Netherlands"}

SME_BLURBS = (
    "{name} develops {product}. Founded in {year} in {city}, it works mainly with {customer} "
    "and is looking for partners to take its technology abroad.",
    "Based in {city}, {name} supplies {product}. Its customers include {customer}, and it is "
    "running pilots with partners in the cluster.",
    "{name} is a {city} start-up working on {product}. Its team of {staff} helps {customer} "
    "cut emissions and costs.",
    "{name} designs, installs and services {product}. Most of its work is for {customer} in "
    "{country}, and it is preparing its first export projects.",
)
LARGE_BLURBS = (
    "{name} supplies {product} to {customer} in {country} and abroad. Its site in {city} hosts "
    "an innovation team that works with start-ups from the cluster.",
    "{name} is one of the larger suppliers of {product} in {country}. The group runs a test "
    "centre in {city} where {customer} and start-ups can try new solutions at full scale.",
)
RESEARCH_BLURBS = (
    "{name} researches {research}. Its laboratories and pilot plants in {city} are open to "
    "companies that want to test {product}.",
    "{name} brings together researchers in {research} and offers test beds, student projects "
    "and joint funding applications to companies in the cluster.",
)
PUBLIC_BLURBS = (
    "{name} leads {city}'s work on {policy}. It buys {product} through innovation procurement "
    "and opens its buildings, streets and data to companies testing new solutions.",
    "{name} is responsible for {policy} in {city}. It co-funds pilots with local companies and "
    "shares its experience with cities across the network.",
)
FUNDER_BLURBS = (
    "{name} invests in early-stage companies working on {phrase}, from seed to series A. It "
    "co-invests with regional funds and helps its companies reach international markets.",
    "{name} provides loans and grants for projects in {phrase}, such as {product}. It works "
    "with the cluster to find projects that are ready for investment.",
)
NGO_BLURBS = (
    "{name} brings together citizens, companies and public bodies in {city} to advance "
    "{phrase}. It runs campaigns, training and demonstration projects.",
    "{name} is a non-profit that promotes {phrase} in {country}. It connects local "
    "initiatives with companies and researchers in the cluster.",
)
BLURBS: dict[str, tuple[str, ...]] = {
    Kind.SME: SME_BLURBS,
    Kind.LARGE_COMPANY: LARGE_BLURBS,
    Kind.RESEARCH: RESEARCH_BLURBS,
    Kind.PUBLIC_AUTHORITY: PUBLIC_BLURBS,
    Kind.FUNDER: FUNDER_BLURBS,
    Kind.NGO: NGO_BLURBS,
}

# The demo logins, the cluster offices' staff that they are, and the partners ------------------

CLEAN, NORDIC_EDGE, C40 = "clean", "nordic-edge", "c40-cities"
SECRETARIAT_EMAIL = "secretariat@icn.example"
PARTNER_EMAIL = "partner@icn.example"
MANAGER_NAMES = {CLEAN: "Jonas Friis", NORDIC_EDGE: "Ingrid Solberg"}
MEMBER_NAMES = {CLEAN: "Mads Kjær", NORDIC_EDGE: "Eirik Haugen"}


def manager_email(cluster_slug: str) -> str:
    return f"manager.{cluster_slug}@icn.example"


def member_email(cluster_slug: str) -> str:
    return f"member.{cluster_slug}@icn.example"


@dataclass(frozen=True)
class PartnerProfile:
    slug: str
    name: str
    country: str
    city: str
    description: str
    topics: tuple[str, ...]
    nace_codes: tuple[str, ...]
    people: tuple[tuple[str, str, str], ...]  # (name, e-mail, job title)
    partnership: tuple[str, str, date, date | None, tuple[str, ...], str]


PARTNERS: tuple[PartnerProfile, ...] = (
    PartnerProfile(
        slug=C40,
        name="C40 Cities",
        country="GB",
        city="London",
        description=(
            "C40 Cities is a network of mayors of the world's leading cities working together "
            "on the climate crisis. It partners with the network to bring cluster companies "
            "and cities together."
        ),
        topics=("smart-cities", "buildings", "sustainable-mobility", "sdg-11", "sdg-13"),
        nace_codes=("94.99",),
        people=(
            ("Olivia Bennett", PARTNER_EMAIL, "Head of Partnerships"),
            ("Tom Okafor", "tom.okafor@c40-cities.example", "Programme Manager, Clean Buildings"),
        ),
        partnership=(
            "Cities and clusters for climate action",
            "Introduces cluster companies with proven solutions for buildings, transport and "
            "waste to C40 member cities, through matchmaking sessions at C40 events and "
            "study tours to the clusters.",
            date(2019, 9, 1),
            None,
            (CLEAN, NORDIC_EDGE, "ccec", "greentech-south", "oreec"),
            V.PUBLIC,
        ),
    ),
    PartnerProfile(
        slug="world-alliance-for-efficient-solutions",
        name="World Alliance for Efficient Solutions",
        country="CH",
        city="Geneva",
        description=(
            "The World Alliance for Efficient Solutions brings together companies, start-ups "
            "and institutions with clean and profitable solutions to protect the environment."
        ),
        topics=("energy-efficiency", "circular-economy-and-industrial-symbiosis", "sdg-12"),
        nace_codes=("94.99",),
        people=(
            (
                "Claire Morel",
                "claire.morel@world-alliance-for-efficient-solutions.example",
                "Partnerships Manager",
            ),
        ),
        partnership=(
            "Efficient solutions from the clusters",
            "Helps cluster members put their solutions forward for the Alliance's assessment "
            "and shows the assessed solutions to cities and investors across the network.",
            date(2020, 3, 1),
            date(2023, 12, 31),
            (CLEAN, "tweed", "clean-tech-delta", "green-tech-cluster", "basque-energy"),
            V.NETWORK,
        ),
    ),
    PartnerProfile(
        slug="urban-future-lab",
        name="Urban Future Lab",
        country="US",
        city="New York",
        description=(
            "Urban Future Lab is a hub for cleantech and smart-city start-ups in New York, "
            "with incubator and accelerator programmes. It partners with the network on "
            "soft landings across the Atlantic."
        ),
        topics=("smart-cities", "renewable-energy", "sdg-9"),
        nace_codes=("70.20",),
        people=(("Jordan Reyes", "jordan.reyes@urban-future-lab.example", "Director of Programs"),),
        partnership=(
            "Transatlantic soft landing",
            "Start-ups from the clusters get a desk, mentoring and introductions in New York; "
            "start-ups from Urban Future Lab's programmes get the same in the clusters.",
            date(2018, 5, 1),
            None,
            (CLEAN, "clean-tech-delta", "sbh", "rtcc", "ccec"),
            V.CLUSTER,
        ),
    ),
)

APPLICANT = ApplicationRow(
    name="Baltic Sea Cleantech Cluster",
    short_name="Baltic Sea Cleantech",
    country="PL",
    city="Gdańsk",
    description=(
        "A candidate cluster of cleantech companies, ports and universities around the Bay of "
        "Gdańsk, working on offshore wind, port decarbonisation and water."
    ),
    contact_name="Katarzyna Nowak",
    contact_email="katarzyna.nowak@baltic-sea-cleantech.example",
    member_count=46,
    criteria=(
        (
            "triple_helix",
            "31 companies (24 SMEs), 6 municipalities and the regional authority, 5 "
            "universities and research institutes, and 4 business support organisations.",
        ),
        (
            "track_record",
            "Founded in 2016; runs a yearly offshore wind supplier day and has coordinated "
            "two Interreg projects on port decarbonisation.",
        ),
        (
            "international_stakeholders",
            "Two thirds of our companies export, mainly to the Nordic countries and Germany; "
            "our ports work with ports across the Baltic Sea.",
        ),
        (
            "sector_breadth",
            "Offshore wind, maritime and port decarbonisation, water and wastewater, and "
            "energy renovation of buildings.",
        ),
        (
            "international_strategy",
            "Help twenty members a year into Nordic and North American markets, and host "
            "delegations from the network's clusters at our supplier day.",
        ),
        (
            "resources_committed",
            "A half-time international coordinator, a travel budget for two network meetings "
            "a year, and co-funding for joint projects.",
        ),
    ),
)
