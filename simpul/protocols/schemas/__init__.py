"""The official XML Schemas of OAI-PMH, oai_dc and MARCXML, read from this folder only.

`oai_pmh_schema()` is what the tests validate every OAI-PMH response against: each
schema's official address is resolved to its local copy, so nothing is fetched.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from lxml import etree

HERE = Path(__file__).resolve().parent
LOCAL = {
    "http://www.openarchives.org/OAI/2.0/OAI-PMH.xsd": "OAI-PMH.xsd",
    "http://www.openarchives.org/OAI/2.0/oai_dc.xsd": "oai_dc.xsd",
    "http://www.openarchives.org/OAI/2.0/oai-identifier.xsd": "oai-identifier.xsd",
    "http://dublincore.org/schemas/xmls/simpledc20021212.xsd": "simpledc20021212.xsd",
    "http://www.loc.gov/standards/marcxml/schema/MARC21slim.xsd": "MARC21slim.xsd",
    "http://www.w3.org/2001/03/xml.xsd": "xml.xsd",
    "http://www.w3.org/2001/xml.xsd": "xml.xsd",
    "http://www.w3.org/2009/01/xml.xsd": "xml.xsd",
}
# A wrapper importing every schema a response may use, so one validator checks it all
# (the OAI-PMH schema validates metadata "strictly": their schemas must be loaded).
_ALL = """<?xml version="1.0" encoding="UTF-8"?>
<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema"
           targetNamespace="urn:x-simpul:all-schemas" elementFormDefault="qualified">
  <xs:import namespace="http://www.openarchives.org/OAI/2.0/"
             schemaLocation="http://www.openarchives.org/OAI/2.0/OAI-PMH.xsd"/>
  <xs:import namespace="http://www.openarchives.org/OAI/2.0/oai_dc/"
             schemaLocation="http://www.openarchives.org/OAI/2.0/oai_dc.xsd"/>
  <xs:import namespace="http://www.openarchives.org/OAI/2.0/oai-identifier"
             schemaLocation="http://www.openarchives.org/OAI/2.0/oai-identifier.xsd"/>
  <xs:import namespace="http://www.loc.gov/MARC21/slim"
             schemaLocation="http://www.loc.gov/standards/marcxml/schema/MARC21slim.xsd"/>
</xs:schema>
"""


class _Local(etree.Resolver):
    """Resolve schema addresses to the files here; refuse anything else."""

    def resolve(self, system_url: str, public_id: str, context: object) -> object:
        name = LOCAL.get(system_url) or (
            Path(system_url).name if Path(system_url).name in LOCAL.values() else None
        )
        if name is None:
            raise OSError(f"no local copy of {system_url}; refusing to fetch it")
        return self.resolve_filename(str(HERE / name), context)


def _parser() -> etree.XMLParser:
    parser = etree.XMLParser(no_network=True, resolve_entities=False, load_dtd=False)
    parser.resolvers.add(_Local())
    return parser


@cache
def oai_pmh_schema() -> etree.XMLSchema:
    """OAI-PMH with oai_dc, oai-identifier and MARCXML: validates any response of /oai."""
    document = etree.fromstring(_ALL.encode(), _parser(), base_url=str(HERE / "all.xsd"))
    return etree.XMLSchema(document)


@cache
def marcxml_schema() -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(HERE / "MARC21slim.xsd"), _parser()))
