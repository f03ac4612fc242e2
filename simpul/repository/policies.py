"""The repository's written policies, with a first text for each until the coordinator
writes the network's own (OpenDOAR's policy headings, in short)."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import get_language

from simpul.repository.models import PolicyKind, PolicyPage

DEFAULTS: dict[str, tuple[str, str]] = {
    PolicyKind.COLLECTION: (
        "Repositori bersama menyimpan karya ilmiah civitas akademika perpustakaan anggota "
        "jaringan: skripsi, tugas akhir, tesis, disertasi, artikel, laporan penelitian, bab "
        "buku dan dataset. Setiap karya dideskripsikan dengan Dublin Core dan diberi lisensi.",
        "The shared repository keeps the scholarly works of the member libraries' "
        "institutions: undergraduate theses (skripsi), final projects, master's theses, "
        "dissertations, articles, research reports, book chapters and datasets. Every work is "
        "described in Dublin Core and carries a licence.",
    ),
    PolicyKind.SUBMISSION: (
        "Pustakawan perpustakaan anggota (dan penulis, bila perpustakaannya mengizinkan) "
        "menyerahkan karya. Pustakawan perpustakaan tersebut memeriksa setiap karya sebelum "
        "diterbitkan. Berkas dicek jenisnya dari isinya; berkas tersamar, terlalu besar atau "
        "PDF yang rusak ditolak. Penulis menjamin berhak menyerahkan karyanya.",
        "Librarians of member libraries (and authors, where their library allows) deposit "
        "works. The library's librarians review every work before it is published. Files are "
        "checked by their content; disguised, oversized or damaged PDF files are refused. "
        "Depositors confirm they have the right to deposit the work.",
    ),
    PolicyKind.PRESERVATION: (
        "Setiap berkas dicatat ukuran, jenis dan checksum SHA-256-nya saat diterima. Audit "
        "fixity harian membaca ulang semua berkas dan melaporkan kerusakan kepada koordinator. "
        "Semua tindakan atas karya dicatat dalam jejak audit berantai hash. Karya yang ditarik "
        "tetap memiliki halaman keterangan beserta alasannya; berkasnya tetap dilestarikan. "
        "Cadangan data dan berkas dibuat secara berkala dan dapat diekspor sebagai paket BagIt.",
        "Every file's size, type and SHA-256 checksum are recorded when it is received. A "
        "daily fixity audit re-reads every file and reports damage to the coordinator. Every "
        "action on an item is written to a hash-chained audit trail. Withdrawn items keep a "
        "page with the reason; their files are still preserved. Data and files are backed up "
        "regularly and can be exported as BagIt packages.",
    ),
    PolicyKind.PRIVACY: (
        "Repositori mencatat unduhan tanpa menyimpan alamat IP: hanya sidik (hash) untuk "
        "menyaring klik berulang. Statistik hanya berupa jumlah per karya, perpustakaan dan "
        "bulan. Nomor induk mahasiswa atau dosen ditampilkan hanya bila penyerah karya "
        "mengisinya.",
        "The repository counts downloads without keeping IP addresses: only a hash, to filter "
        "repeated clicks. Statistics are counts per item, library and month. Student or "
        "lecturer numbers are shown only where the depositor entered them.",
    ),
}


@dataclass
class Policy:
    kind: str
    title: str
    body: str
    page: PolicyPage | None


def policy(kind: str) -> Policy:
    page = PolicyPage.objects.filter(kind=kind).first()
    indonesian = (get_language() or "id").startswith("id")
    if page is not None:
        body = page.body_id if indonesian else page.body_en
    else:
        body = DEFAULTS[kind][0 if indonesian else 1]
    return Policy(kind=kind, title=str(PolicyKind(kind).label), body=body, page=page)
