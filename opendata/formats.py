"""Resource formats and media types: CKAN's free-text ``format`` (``.csv``, ``csv.``, ``text/csv``, ``CSV ``, ``ZIP +
XML``) normalised to one upper-case name, and the media type kept apart.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

# Media type → format name. Only types whose format is unambiguous are listed.
_MEDIA_FORMATS = {
    "text/csv": "CSV", "application/csv": "CSV", "text/comma-separated-values": "CSV",
    "application/json": "JSON", "text/json": "JSON", "application/geo+json": "GEOJSON",
    "application/vnd.geo+json": "GEOJSON", "application/ld+json": "JSON-LD",
    "application/xml": "XML", "text/xml": "XML", "application/rdf+xml": "RDF", "text/turtle": "TTL",
    "text/html": "HTML", "application/xhtml+xml": "HTML", "text/plain": "TXT", "text/markdown": "MD",
    "application/pdf": "PDF", "application/zip": "ZIP", "application/x-zip-compressed": "ZIP",
    "application/gzip": "GZ", "application/x-gzip": "GZ", "application/x-tar": "TAR",
    "application/vnd.rar": "RAR", "application/rar": "RAR", "application/x-rar-compressed": "RAR",
    "application/x-7z-compressed": "7Z",
    "application/vnd.ms-excel": "XLS",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "XLSX",
    "application/msword": "DOC",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "DOCX",
    "application/vnd.ms-powerpoint": "PPT",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": "PPTX",
    "application/vnd.oasis.opendocument.spreadsheet": "ODS", "application/vnd.oasis.opendocument.text": "ODT",
    "application/vnd.oasis.opendocument.presentation": "ODP", "application/rtf": "RTF", "text/rtf": "RTF",
    "application/vnd.google-earth.kml+xml": "KML", "application/vnd.google-earth.kmz": "KMZ",
    "application/geopackage+sqlite3": "GPKG", "application/x-netcdf": "NETCDF",
    "image/jpeg": "JPEG", "image/png": "PNG", "image/gif": "GIF", "image/tiff": "TIFF", "image/svg+xml": "SVG",
    "image/heic": "HEIC", "audio/mpeg": "MP3", "audio/x-wav": "WAV", "audio/wav": "WAV", "video/mp4": "MP4",
    "video/mpeg": "MPEG", "text/javascript": "JS", "application/javascript": "JS",
}  # fmt: skip
_FORMAT_MEDIA = {
    "CSV": "text/csv", "JSON": "application/json", "GEOJSON": "application/geo+json", "XML": "application/xml",
    "HTML": "text/html", "TXT": "text/plain", "PDF": "application/pdf", "ZIP": "application/zip",
    "XLS": "application/vnd.ms-excel",
    "XLSX": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "DOCX": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "ODS": "application/vnd.oasis.opendocument.spreadsheet", "ODT": "application/vnd.oasis.opendocument.text",
    "KML": "application/vnd.google-earth.kml+xml", "KMZ": "application/vnd.google-earth.kmz",
    "JPEG": "image/jpeg", "PNG": "image/png", "TIFF": "image/tiff", "RDF": "application/rdf+xml",
}  # fmt: skip
# Spellings of one format.
_ALIASES = {
    "JPG": "JPEG", "TIF": "TIFF", "GEOTIF": "GEOTIFF", "HTM": "HTML", "TEXT": "TXT", "SHAPEFILE": "SHP",
    "ESRI SHAPEFILE": "SHP", "EXCEL": "XLS", "CSV+ZIP": "ZIP+CSV", "ZIPPED CSV": "ZIP+CSV", "CVS": "CSV",
    "WEBPAGE": "HTML", "WEB PAGE": "HTML", "MARKDOWN": "MD", "GEO+JSON": "GEOJSON", "NETCDF4": "NETCDF",
}  # fmt: skip
# Extensions worth reading from a URL when the format field is empty.
_URL_EXTENSIONS = frozenset(
    {"CSV", "JSON", "GEOJSON", "XML", "PDF", "ZIP", "XLS", "XLSX", "ODS", "DOC", "DOCX", "ODT", "KML", "KMZ",
     "SHP", "TXT", "RDF", "TTL", "PNG", "JPG", "JPEG", "TIF", "TIFF", "GPKG", "PARQUET", "RAR", "7Z", "GZ"}
)  # fmt: skip
_MEDIA_TYPE = re.compile(r"^(application|text|image|audio|video|font|model|multipart|message|binary)/[\w.+-]+$")
_OPAQUE = frozenset({"octet-stream", "unknown", "binary"})
_SPACES = re.compile(r"\s+")


def normalise_media_type(value: object) -> str | None:
    """A media type, lower-case and without parameters (``text/html; charset=UTF-8`` → ``text/html``)."""
    if not isinstance(value, str):
        return None
    text = value.split(";", 1)[0].strip().lower()
    return text if _MEDIA_TYPE.match(text) else None


def normalise_format(value: object, *, media_type: str | None = None, url: str | None = None) -> str | None:
    """One upper-case format name from CKAN's free-text ``format``, else from the media type, else the URL's extension.

    ``.csv``, ``csv.``, `` CSV ``, ``text/csv`` → ``CSV``; ``zip+csv`` → ``ZIP+CSV``; ``ZIP + XML`` → ``ZIP+XML``.
    """
    if isinstance(value, str) and value.strip():
        text = value.strip()
        as_media = normalise_media_type(text)
        if as_media is not None:
            subtype = as_media.rsplit("/", 1)[-1].removeprefix("x-")
            if as_media in _MEDIA_FORMATS or subtype not in _OPAQUE:
                return _MEDIA_FORMATS.get(as_media, subtype.upper())
            text = ""
        name = _SPACES.sub(" ", text.strip(" .").upper())
        name = re.sub(r"\s*\+\s*", "+", name)
        if name:
            return _ALIASES.get(name, name)
    if media_type is not None and media_type in _MEDIA_FORMATS:
        return _MEDIA_FORMATS[media_type]
    if url:
        try:
            path = urlsplit(url).path
        except ValueError:
            return None
        if "." in path.rsplit("/", 1)[-1]:
            extension = path.rsplit(".", 1)[-1].upper()
            if extension in _URL_EXTENSIONS:
                return _ALIASES.get(extension, extension)
    return None


def media_type_for(format_name: str | None, *declared: object) -> str | None:
    """The resource's media type: the first valid declared one, else the usual type of its format, if any."""
    for candidate in declared:
        media = normalise_media_type(candidate)
        if media is not None:
            return media
    return _FORMAT_MEDIA.get(format_name) if format_name else None
