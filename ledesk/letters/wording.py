"""The wording of every letter, in English and Korean, from which the .docx templates are built once
(`python -m ledesk.letters.build`). After that the templates in letters/templates/ are the source: the legal team
edits them in Word and bumps the version in versions.toml."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Wording:
    subject_en: str
    subject_ko: str
    en: tuple[str, ...]
    ko: tuple[str, ...]
    waiver: bool = True  # letters to authorities say that accepting e-mail waives nothing
    # A letter to the account holder: addressed to them, naming no officer, unit or authority reference.
    to_user: bool = False


W = Wording
LETTERS: dict[str, Wording] = {
    "acknowledgement": W("Request received", "요청 접수", (
        "We have received your request and registered it as case {{ case_id }}.",), (
        "귀 기관의 요청을 접수하여 사건 번호 {{ case_id|josa('으로/로') }} 등록하였습니다.",)),
    "deficiency": W("Incomplete request", "요청 보완 요청", (
        "Your request cannot be processed until the following items are supplied: {{ items }}.",
        "Please supply them by the end of {{ deadline|endate }} (Asia/Seoul). Otherwise the request lapses."), (
        "다음 사항이 보완되기 전에는 요청을 처리할 수 없습니다: {{ items_ko|default(items) }}.",
        "{{ deadline|kodate }}까지 보완하여 주십시오. 기한 내 보완되지 않으면 요청은 종결됩니다.")),
    "cure_reminder": W("Reminder: incomplete request", "보완 요청 재안내", (
        "The request lapses at the end of {{ deadline|endate }} unless these items arrive: {{ items }}.",), (
        "다음 사항이 {{ deadline|kodate }}까지 보완되지 않으면 요청은 종결됩니다: {{ items_ko|default(items) }}.",)),
    "supplement_received": W("Supplement received", "보완 자료 접수", (
        "Your supplement completes the request; it is now under review.",), (
        "보완 자료로 요청이 완비되어 검토를 진행합니다.",)),
    "preservation_confirmation": W("Preservation confirmed", "보전 조치 완료", (
        "The records named in your request, as they existed when the request was processed (existing data "
        "only), are preserved until the end of {{ expiry|endate }} (Asia/Seoul).",
        "If no legal process arrives by then, the preserved data will be deleted."), (
        "요청하신 기록을 처리 시점에 존재하던 자료에 한하여 {{ expiry|kodate }}까지 보전합니다.",
        "그때까지 영장 등 법적 절차가 도착하지 않으면 보전된 자료는 삭제됩니다.")),
    "extension_confirmation": W("Preservation extended", "보전 기간 연장", (
        "The preservation now runs until the end of {{ expiry|endate }} (Asia/Seoul).",), (
        "보전 기간이 {{ expiry|kodate }}까지 연장되었습니다.",)),
    "extension_denial": W("Extension declined", "보전 기간 연장 불가", (
        "The preservation cannot be extended: {{ reason }}.",), (
        "보전 기간을 연장할 수 없습니다: {{ reason }}.",)),
    "expiry_warning": W("Preservation ends soon", "보전 기간 만료 예정", (
        "The preservation ends at the end of {{ expiry|endate }} (Asia/Seoul). Send legal process or a renewed "
        "request before then, or the data will be deleted.",), (
        "보전 기간이 {{ expiry|kodate }}에 만료됩니다. 그 전에 법적 절차 또는 연장 요청을 보내지 않으면 자료는 "
        "삭제됩니다.",)),
    "release": W("Preservation ended", "보전 종료", (
        "No legal process arrived before the preservation period ended; the preserved data will be deleted.",), (
        "보전 기간 내에 법적 절차가 도착하지 않아 보전된 자료를 삭제합니다.",)),
    "lapsed": W("Request lapsed", "요청 종결", (
        "The request lapsed: what was needed did not arrive in time.",), (
        "필요한 자료가 기한 내에 도착하지 않아 요청이 종결되었습니다.",)),
    "legal_process_required": W("Legal process required", "법적 절차 필요", (
        "We need sufficient legal process before we can answer; we will wait until the end of "
        "{{ deadline|endate }}.",), (
        "회신을 위해서는 적법한 법적 절차가 필요합니다. {{ deadline|kodate }}까지 기다리겠습니다.",)),
    "legal_process_received": W("Legal process received", "법적 절차 접수", (
        "Your legal process was received and is under review.",), (
        "법적 절차 문서를 접수하여 검토 중입니다.",)),
    "mlat_redirect": W("Request must come through MLAT", "국제형사사법공조 절차 안내", (
        "A foreign authority's request must reach us through mutual legal assistance: please ask the Korean "
        "central authority (Ministry of Justice) to transmit it with Korean legal process.",), (
        "외국 수사기관의 요청은 국제형사사법공조 절차를 통해 대한민국 법무부(중앙당국)를 거쳐 국내 법적 절차와 "
        "함께 전달되어야 합니다.",)),
    "redirect": W("Data held by another entity", "자료 보유 주체 안내", (
        "We do not hold or control the data you asked for of these targets; please address your request to the "
        "entity that does.",
        "{% if targets_said is defined %}Per target: {{ targets_said }}{% endif %}"), (
        "요청하신 다음 대상의 자료는 당사가 보유하거나 관리하지 않으므로 해당 자료를 보유한 주체에 요청하여 주십시오.",
        "{% if targets_said_ko is defined %}대상별 내역: {{ targets_said_ko }}{% endif %}")),
    "no_records": W("No records", "해당 자료 없음", (
        "We found no records responsive to your request.",
        "{% if targets_said is defined %}Per target: {{ targets_said }}{% endif %}"), (
        "요청하신 내용에 해당하는 자료가 없습니다.",
        "{% if targets_said_ko is defined %}대상별 내역: {{ targets_said_ko }}{% endif %}")),
    "rejection": W("Request declined", "요청 거절", (
        "The request is declined: {{ reason }}.",), (
        "다음 사유로 요청을 거절합니다: {{ reason_ko|default(reason) }}.",)),
    "disclosure_cover": W("Disclosure", "자료 제공", (
        "Enclosed is {{ scope }}.",
        "Under art. 18(5) of the Personal Information Protection Act we ask that you limit the use of this data "
        "to the stated purpose and method, and take the measures needed to safeguard it.",
        "A manifest lists the SHA-256 of every file.",
        "{% if targets_summary is defined %}Per target: {{ targets_summary }}{% endif %}",
        "{% if manifest_sha256 is defined %}Download the package from the authority portal, "
        "{{ portal_link|default(portal_path) }}, "
        "until {{ download_until|endate }}; we never send personal data by e-mail. Manifest SHA-256: "
        "{{ manifest_sha256 }}. It is signed (manifest.sig, Ed25519) by our production key, fingerprint "
        "{{ key_fingerprint }}.{% endif %}"), (
        "{{ scope_ko|josa('을/를') }} 제공합니다.",
        "개인정보 보호법 제18조제5항에 따라 제공된 자료를 명시된 목적과 방법으로만 이용하고 안전성 확보에 필요한 "
        "조치를 하여 주실 것을 요청합니다.",
        "각 파일의 SHA-256 값은 목록(manifest)에 기재되어 있습니다.",
        "{% if targets_summary_ko is defined %}대상별 내역: {{ targets_summary_ko }}{% endif %}",
        "{% if manifest_sha256 is defined %}제공 자료는 {{ download_until|kodate }}까지 수사기관 포털"
        "({{ portal_link|default(portal_path) }})에서 "
        "내려받으실 수 있습니다(개인정보는 이메일로 보내지 않습니다). 목록(manifest.json)의 SHA-256: "
        "{{ manifest_sha256 }}. 목록은 당사 제공용 키(지문 {{ key_fingerprint }})로 서명(manifest.sig, Ed25519)되어 "
        "있습니다.{% endif %}")),
    "followup_documents_request": W("Follow-up documents requested", "사후 서류 제출 요청", (
        "Please send the supporting legal documents for the emergency disclosure by the end of "
        "{{ deadline|endate }}.",), (
        "긴급 제공에 대한 근거 서류를 {{ deadline|kodate }}까지 제출하여 주십시오.",)),
    "user_notice": W("A request for your data", "귀하의 정보에 대한 요청 안내", (
        "{{ provider }} received a request from a government authority for data about your account.",
        "{% if provide_on|default('') %}Unless a court stops it, the data will be provided on or after "
        "{{ provide_on|endate }} (Asia/Seoul), not before.{% endif %}"
        "{% if delayed|default(false) %}A non-disclosure order delayed this notice.{% endif %}"), (
        "{{ provider|josa('은/는') }} 수사기관으로부터 귀하의 계정 정보에 대한 요청을 받았습니다.",
        "{% if provide_on|default('') %}법원이 이를 막지 않는 한, 자료는 {{ provide_on|kodate }}(한국 시간) "
        "이후에 제공되며 그 전에는 제공되지 않습니다.{% endif %}"
        "{% if delayed|default(false) %}비공개 명령으로 이 안내가 늦게 발송되었습니다.{% endif %}"),
        waiver=False, to_user=True),
    "cost_invoice": W("Invoice for costs of responding", "회신 비용 청구", (
        "We invoice {{ amount }} for responding to case {{ case_id }}.",), (
        "사건 {{ case_id }} 회신 비용으로 {{ amount|josa('을/를') }} 청구합니다.",)),
    "destruction_certificate": W("Destruction certificate", "파기 확인서", (
        "We certify that the data preserved under hold {{ hold_id }} was destroyed on {{ destroyed_at|endate }} "
        "(Asia/Seoul): its key was erased and {{ parts|counted('encrypted part') }} deleted "
        "(SHA-256 of the destroyed ciphertext: {{ digest }}).",
        "{% if key_store is defined %}Key {{ key_id }} in {{ key_store }}: {{ method }}.{% endif %}"), (
        "보전 {{ hold_id }}에 따라 보관되던 자료를 {{ destroyed_at|kodate }}에 파기하였음을 확인합니다. "
        "암호화 키를 삭제하고 암호화된 자료 {{ parts }}건을 삭제하였습니다(SHA-256: {{ digest }}).",
        "{% if key_store is defined %}암호화 키 {{ key_id }}, 보관처: {{ key_store_ko|default(key_store) }}."
        "{% endif %}")),
}

WAIVER_EN = ("Accepting a document by e-mail is for convenience only and waives no right or objection of "
             "{{ provider }}.")
WAIVER_KO = ("이메일로 문서를 접수하는 것은 편의를 위한 것이며, {{ provider }}의 어떠한 권리나 이의도 "
             "포기하는 것이 아닙니다.")
