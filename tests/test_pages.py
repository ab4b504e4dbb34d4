"""Entity IRIs and the ontology dereference here: HTML for browsers, RDF by content negotiation."""
from rdflib import Graph, URIRef
from rdflib.namespace import OWL, RDF, RDFS

OSIMERTINIB = URIRef("https://w3id.org/lungmet-kg/id/drug/osimertinib")


def test_entity_page_in_html_with_links(client):
    response = client.get("/id/drug/osimertinib", headers={"Accept": "text/html"})
    assert response.status_code == 200 and response.mimetype == "text/html"
    html = response.get_data(as_text=True)
    assert "<h1>osimertinib</h1>" in html and 'href="/id/' in html


def test_entity_as_turtle_and_json_ld(client):
    turtle = client.get("/id/drug/osimertinib", headers={"Accept": "text/turtle"})
    g = Graph().parse(data=turtle.data, format="turtle")
    assert (OSIMERTINIB, RDFS.label, None) in g
    assert any(str(p) == "http://www.w3.org/ns/prov#wasDerivedFrom" for p in g.predicates())
    jsonld = client.get("/id/drug/osimertinib", headers={"Accept": "application/ld+json"})
    assert jsonld.mimetype == "application/ld+json"
    assert len(Graph().parse(data=jsonld.data, format="json-ld")) == len(g)


def test_unknown_entity_is_404(client):
    response = client.get("/id/drug/unobtainium")
    assert response.status_code == 404 and response.mimetype == "application/problem+json"


def test_ontology_at_its_namespace(client):
    turtle = client.get("/ontology", headers={"Accept": "text/turtle"})
    g = Graph().parse(data=turtle.data, format="turtle")
    assert (URIRef("https://w3id.org/lungmet-kg/ontology"), RDF.type, OWL.Ontology) in g
    html = client.get("/ontology", headers={"Accept": "text/html"})
    assert b"lmkg:ThirdGenerationEGFRTKI" in html.data


def test_home_page_counts(client):
    html = client.get("/", headers={"Accept": "text/html"}).get_data(as_text=True)
    assert "Outcome measurements" in html and "Canned queries" in html
