"""The web UI's words in English and Korean; the page language comes from ?lang= or the `lang` cookie."""

from __future__ import annotations

import re

from ledesk.states.phrasing import CATEGORY_WORDS, INSTRUMENT_WORDS

WORDS: dict[str, dict[str, str]] = {
    "en": {
        "before_deciding": "Before you decide", "nondisclosure": "Non-disclosure order",
        "no_order": "none on file", "order_until": "until {day}", "order_indefinite": "indefinite",
        "order_reference": "order number", "notice_if_approved": "Notice to the user if approved now",
        "holdings": "What the data source holds (record counts; nothing is read before approval)",
        "account": "Account", "records": "Records in the period", "permitted": "The instrument permits it",
        "kept_from": "Retention keeps from", "no_account": "no account", "held_elsewhere": "held by",
        "customer_data": "an enterprise customer's own data: ask the customer", "whole_period": "the whole period",
        "not_found": "Not found", "not_found_staff": "There is no such page or case. Check the case number, or "
        "search the queue for part of it.", "not_found_portal": "There is no such request among your authority's "
        "requests. Check the case number in our letter.",
        "unit_day": "d", "unit_hour": "h", "unit_minute": "m",
        "your_request": "Your request", "letters_to_you": "Our letters to you",
        "letter_on_its_way": "being sent", "answer_by_cure_deadline": "Please send what is missing by",
        "answer_by_legal_process_deadline": "Please send the legal process by",
        "answer_by_response_due": "We answer by",
        "fix_fields": "Nothing was submitted: please correct the fields marked below.",
        "nobody": "nobody yet", "assign_to": "Give the case to", "assign": "Assign", "mine": "Mine",
        "title": "LE Desk", "queue": "Queue", "stats": "Operators' picture", "reports": "Reports",
        "sign_in": "Sign in", "sign_out": "Sign out", "token": "Token",
        "case": "Case", "state": "State", "kind": "Kind", "regime": "Regime", "authority": "Authority",
        "next_deadline": "Next deadline", "assigned": "Assigned", "received": "Received", "due_in": "due in",
        "overdue": "overdue", "emergency_banner": "Emergency requests waiting for a decision",
        "submission": "Submission", "targets": "Targets", "outcome": "Outcome", "timeline": "Timeline",
        "deadlines": "Deadlines", "letters": "Letters", "holds": "Holds", "notice": "Notice to the user",
        "actions": "Actions", "reason": "Reason", "no_actions": "Nothing you may do on this case now.",
        "diagram": "Where the case is", "officer": "Officer", "legal_basis": "Legal basis",
        "data_requested": "Data requested", "deficiencies": "Deficiencies", "none": "none",
        "download": "download", "signed_in_as": "Signed in as", "filter": "Filter", "all": "all",
        "bad_token": "That token is unknown, revoked or expired.",
        "signin_throttled": "Too many failed sign-ins from here: try again in {seconds} seconds.",
        "done": "Done", "refused": "Refused",
        "portal": "Authority portal", "portal_token": "Officer's token", "my_requests": "Your requests",
        "reference": "Your reference", "standing": "Status", "preserved_until": "Preserved until",
        "missing": "What is missing", "new_request": "Submit a request",
        "fill_in": "Or fill in the request form on this page",
        "upload_hint": "A filled LE Desk form (.docx) or a submission (.json)", "submit": "Submit",
        "send_document": "Send a document for this request",
        "document_hint": "The answer to a deficiency letter, or the legal process for a preservation (.docx or .json)",
        "send": "Send", "production": "Production", "download_production": "Download the signed production",
        "download_until": "Downloadable until", "confirm_receipt": "Confirm receipt", "received_on": "Received on",
        "key_fingerprint": "Production key fingerprint", "no_requests": "No requests yet.",
        "verify_hint": "Check the package: its manifest.json is signed (manifest.sig, Ed25519); the letter names "
                       "the manifest's SHA-256 and the key's fingerprint.",
        "download_closed": "The download window is over.",
        "under_review": "Under review", "incomplete": "Incomplete: please answer the deficiency letter",
        "waiting_for_legal_process": "Waiting for legal process", "answered": "Answered",
        "preserved": "Preserved", "closed": "Closed", "declined": "Declined",
        "instrument": "Instrument", "provisions": "Provisions", "issued_by": "Issuing court or body",
        "issued_on": "Issued on", "valid_until": "Valid until", "document_number": "Document number",
        "investigation": "Investigation", "rank": "Rank", "badge": "Badge", "email": "E-mail", "phone": "Phone",
        "postal_address": "Postal address", "approver": "Approving official", "category": "Category",
        "period": "Period", "purpose": "Purpose", "necessity": "Why necessary", "known_info": "Known information",
        "type": "Type", "identifier": "Identifier", "emergency": "Emergency", "nature": "Nature",
        "facts": "Facts", "certified": "Officer's certification", "yes": "yes", "no": "no",
        "attachments": "Attachments", "file": "File", "recommendation": "Recommendation",
        "recommended_by": "Recommended by", "waiting_other_approver": "Waiting for an approver other than you",
        "callback": "Call-back", "callback_number": "Number to call back (on file for the authority)",
        "request_number": "Number in the request", "request_number_hint": "from the request, do not rely on it",
        "no_number_on_file": "none on file: find the authority's switchboard independently "
                             "(`ledesk authorities add ... --callback-phone`)",
        "callback_hint": "Call the authority on a number you find independently (its switchboard), never only "
                         "on the number in the request; record who answered.",
        "number_called": "Number called", "result": "Result", "confirmed": "Confirmed", "failed": "Failed",
        "record_callback": "Record the call-back", "are_you_sure": "Are you sure? This cannot be undone.",
        "preview_title": "Check what goes out before it does",
        "preview_hint": "These letters leave when you confirm, exactly as shown. Nothing has happened yet.",
        "preview_none": "No letter goes out with this step.", "preview_to": "To",
        "confirm_send": "Confirm", "go_back": "Go back: change nothing",
        "preview_later": "The download address, the manifest's SHA-256 and the per-target lines are added when "
                         "the production is sealed.",
        "upload_document": "Document (.json or .docx)", "search": "Search", "search_hint":
        "Case number, reference or target", "empty_queue": "No cases match.", "when": "When", "action": "Action",
        "by": "By", "due": "Due", "status": "Status", "timer": "Deadline",
        "picture_alt": "Open cases by state, deadlines, and decision times, as a chart",
        "open_cases": "Open cases", "due_24h": "Deadlines in the next 24 hours",
        "due_7d": "Deadlines in the next 7 days", "overdue_timers": "Overdue deadlines",
        "failed_timers": "Failed timers", "median_hours": "Median hours from receipt to decision",
        "ack_median": "Emergency acknowledgement, median minutes",
        "open_unacknowledged": "Emergencies open and unacknowledged", "overdue_list": "Overdue",
        "transparency_report": "Transparency report", "date_from": "From", "date_to": "To", "format": "Format",
        "transparency_hint": "Requests and accounts by half-year, country, instrument and outcome (Seoul dates, "
                             "both included). Submissions from senders that are not authorities are not counted; "
                             "they are shown as an internal figure.",
        "statutory_reports": "Statutory half-year reports", "ledger": "Ledger",
        "ledger_pcsa": "PCSA communication-confirmation data", "ledger_tba": "TBA subscriber data",
        "half_year": "Half-year", "download_file": "Download", "produce_download": "Produce and download",
        "statutory_hint": "Made from the provision ledger. Producing a report records it (with its SHA-256) in the "
                          "audit log, and its 14-day reminder is then not sent.",
    },
    "ko": {
        "before_deciding": "결정 전 확인", "nondisclosure": "비공개 명령",
        "no_order": "없음", "order_until": "{day}까지", "order_indefinite": "기한 없음",
        "order_reference": "명령 번호", "notice_if_approved": "지금 승인할 경우 이용자 통지",
        "holdings": "데이터 보유 현황(건수만 표시하며, 승인 전에는 자료를 열람하지 않습니다)",
        "account": "계정", "records": "기간 내 건수", "permitted": "법적 수단상 허용",
        "kept_from": "보관 시작일", "no_account": "계정 없음", "held_elsewhere": "보유 주체",
        "customer_data": "기업 고객 자료: 고객에게 요청하십시오", "whole_period": "기간 전체",
        "not_found": "찾을 수 없음", "not_found_staff": "해당 페이지나 사건이 없습니다. 사건 번호를 확인하거나 "
        "처리 대기열에서 일부를 검색하십시오.", "not_found_portal": "귀 기관의 요청 중 해당 요청이 없습니다. "
        "당사 회신 문서의 사건 번호를 확인하십시오.",
        "unit_day": "일", "unit_hour": "시간", "unit_minute": "분",
        "your_request": "요청 내용", "letters_to_you": "당사 회신 문서",
        "letter_on_its_way": "발송 중", "answer_by_cure_deadline": "보완 자료 제출 기한",
        "answer_by_legal_process_deadline": "법적 절차 문서 제출 기한", "answer_by_response_due": "당사 회신 기한",
        "fix_fields": "제출되지 않았습니다. 아래 표시된 항목을 고쳐 주십시오.",
        "nobody": "아직 없음", "assign_to": "담당 검토자", "assign": "배정", "mine": "내 사건",
        "title": "LE Desk", "queue": "처리 대기열", "stats": "운영 현황", "reports": "보고서",
        "sign_in": "로그인", "sign_out": "로그아웃", "token": "토큰",
        "case": "사건", "state": "상태", "kind": "유형", "regime": "근거 법령", "authority": "요청 기관",
        "next_deadline": "다음 기한", "assigned": "담당자", "received": "접수", "due_in": "남은 시간",
        "overdue": "기한 경과", "emergency_banner": "결정을 기다리는 긴급 요청이 있습니다",
        "submission": "요청 내용", "targets": "대상", "outcome": "결과", "timeline": "처리 이력",
        "deadlines": "기한", "letters": "문서", "holds": "보전 조치", "notice": "이용자 통지",
        "actions": "조치", "reason": "사유", "no_actions": "지금 이 사건에서 할 수 있는 조치가 없습니다.",
        "diagram": "사건의 현재 위치", "officer": "담당 수사관", "legal_basis": "법적 근거",
        "data_requested": "요청 자료", "deficiencies": "보완 사항", "none": "없음",
        "download": "내려받기", "signed_in_as": "사용자", "filter": "필터", "all": "전체",
        "bad_token": "알 수 없거나 폐기되었거나 만료된 토큰입니다.",
        "signin_throttled": "로그인 실패가 너무 많습니다. {seconds}초 후에 다시 시도하십시오.",
        "done": "완료", "refused": "거부됨",
        "portal": "수사기관 포털", "portal_token": "수사관 토큰", "my_requests": "요청 목록",
        "reference": "귀 기관 문서번호", "standing": "처리 상태", "preserved_until": "보전 기한",
        "missing": "보완이 필요한 사항", "new_request": "요청 제출",
        "fill_in": "또는 이 페이지에서 요청서를 작성하십시오",
        "upload_hint": "작성한 LE Desk 양식(.docx) 또는 제출 파일(.json)", "submit": "제출",
        "send_document": "이 요청에 대한 문서 제출",
        "document_hint": "보완 요청에 대한 회신 또는 보전 요청에 대한 법적 절차 문서(.docx 또는 .json)",
        "send": "보내기", "production": "제공 자료", "download_production": "서명된 제공 자료 내려받기",
        "download_until": "내려받기 기한", "confirm_receipt": "수령 확인", "received_on": "수령일",
        "key_fingerprint": "제공용 키 지문", "no_requests": "아직 요청이 없습니다.",
        "verify_hint": "자료 묶음을 확인하십시오. manifest.json은 서명(manifest.sig, Ed25519)되어 있으며, 회신 문서에 "
                       "manifest의 SHA-256 값과 키 지문이 기재되어 있습니다.",
        "download_closed": "내려받기 기한이 지났습니다.",
        "under_review": "검토 중", "incomplete": "보완 필요: 보완 요청서에 회신하여 주십시오",
        "waiting_for_legal_process": "법적 절차 대기", "preserved": "보전 중", "answered": "회신 완료",
        "closed": "종결", "declined": "거절",
        "instrument": "법적 수단", "provisions": "근거 조항", "issued_by": "발부 법원 또는 기관", "issued_on": "발부일",
        "valid_until": "유효기간", "document_number": "문서 번호", "investigation": "수사 내용", "rank": "계급",
        "badge": "공무원증 번호", "email": "이메일", "phone": "전화번호", "postal_address": "우편 주소",
        "approver": "승인권자", "category": "자료 유형", "period": "기간", "purpose": "목적", "necessity": "필요성",
        "known_info": "알려진 정보", "type": "유형", "identifier": "식별자", "emergency": "긴급 상황",
        "nature": "긴급 사유", "facts": "사실 관계", "certified": "수사관 확인", "yes": "예", "no": "아니오",
        "attachments": "첨부 문서", "file": "파일", "recommendation": "권고", "recommended_by": "권고자",
        "waiting_other_approver": "본인이 아닌 다른 승인권자의 승인을 기다리는 중",
        "callback": "회신 전화 확인", "callback_number": "회신 전화 번호(기관 등록 번호)",
        "request_number": "요청서의 번호", "request_number_hint": "요청서에 적힌 번호이므로 이것만 믿지 마십시오",
        "no_number_on_file": "등록된 번호 없음: 기관 대표 번호를 별도로 확인하십시오",
        "callback_hint": "요청서에 적힌 번호만이 아니라 별도로 확인한 기관 대표 번호로 전화하고, "
                         "응답자를 기록하십시오.",
        "number_called": "통화한 번호", "result": "결과", "confirmed": "확인됨", "failed": "확인 실패",
        "record_callback": "회신 전화 기록", "are_you_sure": "진행하시겠습니까? 되돌릴 수 없습니다.",
        "preview_title": "발송 전 확인",
        "preview_hint": "확인을 누르면 아래 문서가 표시된 그대로 발송됩니다. 아직 아무것도 처리되지 않았습니다.",
        "preview_none": "이 단계에서는 발송되는 문서가 없습니다.", "preview_to": "수신",
        "confirm_send": "확인", "go_back": "돌아가기(변경 없음)",
        "preview_later": "내려받기 주소, 목록의 SHA-256 및 대상별 내역은 제공 자료가 봉인될 때 추가됩니다.",
        "upload_document": "문서 (.json 또는 .docx)", "search": "검색", "search_hint": "사건 번호, 문서번호 또는 대상",
        "empty_queue": "해당하는 사건이 없습니다.", "when": "일시", "action": "조치", "by": "처리자", "due": "기한",
        "status": "상태", "timer": "기한 종류",
        "picture_alt": "상태별 진행 중 사건, 기한, 결정까지 걸린 시간 차트",
        "open_cases": "진행 중 사건", "due_24h": "24시간 내 기한", "due_7d": "7일 내 기한",
        "overdue_timers": "기한 경과", "failed_timers": "실패한 타이머",
        "median_hours": "접수부터 결정까지 시간(중앙값)",
        "ack_median": "긴급 요청 접수 확인까지 분(중앙값)", "open_unacknowledged": "미확인 긴급 요청",
        "overdue_list": "기한 경과 목록",
        "transparency_report": "투명성 보고서", "date_from": "시작일", "date_to": "종료일", "format": "형식",
        "transparency_hint": "반기, 국가, 법적 수단, 결과별 요청 건수와 계정 수(서울 기준 날짜, 시작일과 종료일 포함). "
                             "수사기관이 아닌 발신자의 제출은 집계하지 않고 내부 수치로만 표시합니다.",
        "statutory_reports": "법정 반기 보고서", "ledger": "대장",
        "ledger_pcsa": "통신사실확인자료 제공 대장(통신비밀보호법)", "ledger_tba": "통신자료 제공 대장(전기통신사업법)",
        "half_year": "반기", "download_file": "내려받기", "produce_download": "작성 후 내려받기",
        "statutory_hint": "제공 대장으로 작성합니다. 작성한 보고서는 SHA-256 값과 함께 감사 기록에 남으며, "
                          "이후 14일 전 알림은 발송되지 않습니다.",
    },
}


def words(lang: str) -> dict[str, str]:
    return WORDS.get(lang, WORDS["en"])


def trigger_words(lang: str) -> dict[str, str]:
    """What a trigger, or any other step of a case's timeline (an assignment, a letter read), is called."""
    chosen = lang if lang in TRIGGER_WORDS else "en"
    return {**EVENT_WORDS[chosen], **TRIGGER_WORDS[chosen]}


def state_words(lang: str) -> dict[str, str]:
    return STATE_WORDS.get(lang, STATE_WORDS["en"])


# The legal team's words for each trigger and state: what a button, a badge and the timeline say; the
# trigger's own name stays in the API and the CLI. A test checks every trigger and state has both.
TRIGGER_WORDS: dict[str, dict[str, str]] = {
    "en": {
        "flag_incomplete": "Ask for what is missing", "cure": "Record the supplement",
        "preserve": "Preserve the data", "extend": "Extend the preservation",
        "require_legal_process": "Wait for legal process", "attach_legal_process": "Attach legal process",
        "recommend_disclosure": "Recommend disclosure", "approve_disclosure": "Approve disclosure",
        "send_back": "Send back to the reviewer", "acknowledge": "Acknowledge the page",
        "disclose": "Disclose now", "verify_callback": "Record the call-back",
        "emergency_disclose": "Disclose in the emergency", "reject": "Decline the request",
        "expire": "Close as expired",
    },
    "ko": {
        "flag_incomplete": "보완 요청", "cure": "보완 자료 반영", "preserve": "자료 보전",
        "extend": "보전 기간 연장", "require_legal_process": "법적 절차 대기", "attach_legal_process": "법적 절차 첨부",
        "recommend_disclosure": "제공 권고", "approve_disclosure": "제공 승인", "disclose": "지금 제공",
        "send_back": "검토자에게 반려", "acknowledge": "호출 수신 확인",
        "verify_callback": "회신 전화 확인 기록", "emergency_disclose": "긴급 제공", "reject": "요청 거절",
        "expire": "기한 경과 종결",
    },
}
# The other steps a case's timeline shows, and the flash message after them; a test checks every step a
# case's history can hold has both.
EVENT_WORDS: dict[str, dict[str, str]] = {
    "en": {
        "intake": "Request received", "duplicate_received": "Duplicate received", "assigned": "Assigned",
        "correspondence": "Correspondence received", "nondisclosure": "Non-disclosure order recorded",
        "followup_legal_process": "Follow-up legal process attached", "hold_released": "Hold released",
        "hold_kept": "Hold kept", "purge": "Preserved data destroyed", "purged": "Preserved data destroyed",
        "invoice": "Cost invoice sent", "tos_referral": "Referred to the abuse team",
        "outcome_letters": "Outcome letters sent", "preservation_outcomes": "Targets without an account told",
        "snapshot_taken": "Data preserved (snapshot)", "preserved_data_read": "Preserved data read",
        "produced_data_read": "Produced data read", "production_built": "Production sealed",
        "production_destroyed": "Production destroyed", "production_received": "Receipt confirmed by the authority",
        "letter_downloaded": "Letter downloaded", "document_downloaded": "Attachment downloaded",
        "escalated": "Escalated", "linked": "Document received for this request", "received": "Received",
        "incomplete": "Received: something is missing",
    },
    "ko": {
        "intake": "요청 접수", "duplicate_received": "중복 접수", "assigned": "담당자 배정",
        "correspondence": "서신 접수", "nondisclosure": "비공개 명령 기록",
        "followup_legal_process": "사후 법적 절차 첨부", "hold_released": "보전 해제", "hold_kept": "보전 유지",
        "purge": "보전 자료 파기", "purged": "보전 자료 파기", "invoice": "비용 청구서 발송",
        "tos_referral": "약관 위반 대응팀 이관", "outcome_letters": "결과 통지 발송",
        "preservation_outcomes": "계정 없는 대상 통지", "snapshot_taken": "자료 보전(스냅숏)",
        "preserved_data_read": "보전 자료 열람", "produced_data_read": "제공 자료 열람",
        "production_built": "제공 자료 봉인", "production_destroyed": "제공 자료 파기",
        "production_received": "수사기관 수령 확인", "letter_downloaded": "문서 내려받기",
        "document_downloaded": "첨부 문서 내려받기", "escalated": "상부 보고", "linked": "이 요청에 대한 문서 접수",
        "received": "접수", "incomplete": "접수: 보완 필요",
    },
}
STATE_WORDS: dict[str, dict[str, str]] = {
    "en": {"received": "Received", "incomplete": "Incomplete", "awaiting_legal_process": "Awaiting legal process",
           "preserved": "Preserved", "notify_user": "Notifying the user", "disclosed": "Disclosed",
           "expired": "Expired", "rejected": "Declined"},
    "ko": {"received": "접수", "incomplete": "보완 필요", "awaiting_legal_process": "법적 절차 대기",
           "preserved": "보전 중", "notify_user": "이용자 통지 중", "disclosed": "제공 완료", "expired": "기한 경과",
           "rejected": "거절"},
}
# Why a step was refused, in Korean, by the rule that refused it (the English message, which names the
# details, follows in small); a test checks every rule of the engine has its sentence.
REFUSAL_WORDS_KO: dict[str, str] = {
    "not_emergency": "긴급 요청은 긴급 절차로만 처리합니다.",
    "emergency_kind": "긴급 요청에만 해당하는 단계입니다.",
    "not_acknowledged": "이미 호출 수신이 확인되었습니다.",
    "preservation_kind": "보전 요청만 보전할 수 있습니다.",
    "regime_allows_preservation": "이 근거 법령에는 보전 규정이 없습니다.",
    "not_foreign_direct": "외국 기관의 직접 요청은 제공하지 않습니다. 국제형사사법공조 절차를 거쳐야 합니다.",
    "has_reason": "사유를 적어 주십시오.",
    "has_deficiency": "보완할 사항을 하나 이상 적어 주십시오.",
    "supplement_attached": "보완 자료(JSON 또는 양식)를 첨부하여 주십시오.",
    "supplement_resolves_deficiencies": "보완 자료가 유효하지 않거나 아직 빠진 사항이 있습니다.",
    "legal_process_document_attached": "법적 절차 문서를 첨부하여 주십시오.",
    "legal_process_executable": "당사가 집행할 수 있는 법적 절차가 아닙니다.",
    "legal_process_valid_now": "법적 절차의 유효기간이 아닙니다.",
    "legal_process_names_case_target": "법적 절차가 이 사건의 대상을 특정하지 않습니다.",
    "court_permission_if_required": "법원의 허가서가 필요합니다.",
    "preservation_attested": "보전 요청서가 법령상 요건(기관 서식, 서명 또는 날인, 진술)을 갖추지 않았습니다.",
    "no_repeat_statutory_request": "같은 자료에 대한 반복 보전 요청은 허용되지 않습니다.",
    "extension_available": "연장 가능 횟수를 모두 사용했습니다.",
    "preservation_not_ended": "이미 끝난 보전 기간은 연장할 수 없습니다.",
    "statutory_regime_in_force": "해당 법령은 시행 전에 접수된 요청에 적용되지 않습니다.",
    "recommended": "아직 제공 권고가 없습니다.",
    "recommended_by_other": "권고한 사람이 직접 승인할 수 없습니다. 다른 승인권자가 필요합니다.",
    "instrument_suffices": "법적 근거가 요청된 자료의 제공을 허용하지 않습니다.",
    "warrant_not_spent": "이미 집행된 영장입니다(대법원 99모161).",
    "legal_process_valid": "법적 절차가 유효하지 않습니다.",
    "emergency_stated_and_certified": "급박한 위험의 내용과 수사관의 확인이 필요합니다.",
    "lead_time_over": "이용자 통지 후 대기 기간이 아직 끝나지 않았습니다.",
    "no_failed_callback": "회신 전화 확인에 실패한 요청입니다. 탈취된 메일함에서 온 요청일 수 있습니다.",
    "callback_verified": "확인된 회신 전화 기록이 없습니다.",
    "callback_by_other": "회신 전화를 한 사람이 직접 제공할 수 없습니다. 다른 사람이 필요합니다.",
    "deadline_passed": "아직 지난 기한이 없습니다.",
    "no_legal_process_attached": "법적 절차가 첨부되어 있어 종결할 수 없습니다.",
    "tba83_policy_allows": "당사 정책상 전기통신사업법 제83조제3항에 따른 요청에는 응하지 않습니다.",
    "actor_role": "이 조치를 할 권한이 없습니다.",
    "known_actor": "등록되지 않은 사용자입니다.",
}


# A refusal no rule names, by its kind (states.errors' codes).
REFUSAL_CODES_KO: dict[str, str] = {
    "bad_input": "입력 내용을 처리할 수 없습니다.", "not_found": "찾을 수 없습니다.",
    "invalid_trigger": "사건의 현재 상태에서는 할 수 없는 조치입니다.",
    "conflict": "다른 사람이 같은 사건을 동시에 변경했습니다. 새로 고친 후 다시 시도하십시오.",
    "refused": "규칙에 따라 거부되었습니다.", "invalid_submission": "요청서의 형식이 올바르지 않습니다.",
    "download_closed": "내려받기 기한이 지났습니다.",
}


def refusal(message: str, guard: str | None, lang: str, code: str | None = None) -> str:
    """A refusal as the page says it: in Korean by its rule (or else its kind) where there is one, the
    details after."""
    said = (REFUSAL_WORDS_KO.get(guard or "") or REFUSAL_CODES_KO.get(code or "")) if lang == "ko" else None
    return f"{said} ({message})" if said else message


# Shown what they send (or that nothing goes out) and asked to confirm, with a reason required on the form.
CONFIRM = {"approve_disclosure", "disclose", "emergency_disclose", "reject", "send_back"}


# The closed vocabularies a page shows as values (kinds, outcomes, holds, notices, deadlines): in Korean on
# a Korean page; in English a value reads as it is named, with underscores as spaces.
VALUE_WORDS_KO: dict[str, str] = {
    "preservation": "보전 요청", "emergency": "긴급 요청", "legal_process": "법적 절차",
    "pending": "대기", "produce": "제공", "no_data": "자료 없음", "out_of_retention": "보관 기간 경과",
    "not_held": "미보유", "customer_controlled": "기업 고객 자료", "redirected": "기업 고객 안내", "rejected": "거절",
    "active": "보전 중", "extended": "연장됨", "converted": "법적 절차로 전환", "released": "해제",
    "purged": "파기 완료",
    "undecided": "미정", "not_required": "통지 불요", "deferred": "유예", "suppressed": "통지 금지",
    "sent": "통지 완료",
    "statutory_secrecy": "법령상 비밀 유지", "nondisclosure_order": "비공개 명령",
    "nondisclosure_requested_without_order": "명령 없는 비공개 요청", "agency_notifies_by_law": "수사기관 통지 의무",
    "preservation_only": "보전만 요청", "lead_time": "통지 후 대기",
    "response_due": "회신 기한", "cure_reminder": "보완 재안내", "cure_deadline": "보완 기한",
    "preservation_expiry": "보전 만료", "expiry_warning": "만료 예고", "legal_process_deadline": "법적 절차 제출 기한",
    "notice_lead_time": "통지 후 대기 기간", "delayed_notice": "유예된 통지", "notice_review": "통지 재검토",
    "emergency_acknowledge": "긴급 접수 확인", "emergency_triage": "긴급 분류", "emergency_decision": "긴급 결정",
    "emergency_followup": "긴급 사후 서류", "fired": "실행됨", "cancelled": "취소됨", "failed": "실패",
    "reviewer": "검토자", "approver": "승인권자", "oncall": "당직자", "admin": "관리자",
    "account_id": "계정 ID", "email": "이메일 주소", "username": "사용자 이름", "ip": "IP 주소", "url": "URL",
    "phone": "전화번호",
    "submission": "요청서", "supplement": "보완 자료", "correspondence": "서신", "attachment": "첨부",
    "court_permission": "법원 허가서",
    "police": "경찰", "prosecution": "검찰", "court": "법원", "regulator": "규제 기관", "other": "기타",
    # Categories and instruments in the letters' own words (states.phrasing), so a page and a letter agree.
    **{code: ko for code, (_en, ko) in CATEGORY_WORDS.items()},
    **{code: ko for code, (_en, ko) in INSTRUMENT_WORDS.items()},
}
# Where English says a value otherwise than its name with spaces.
VALUE_WORDS_EN: dict[str, str] = {
    "account_id": "account ID", "email": "e-mail address", "ip": "IP address", "url": "URL",
    "phone": "phone number", "oncall": "on call", "produce": "produced", "legal_process": "legal process",
    **{code: en for code, (en, _ko) in CATEGORY_WORDS.items()},
    **{code: en for code, (en, _ko) in INSTRUMENT_WORDS.items()},
}


# What an approval now would do about the user's notice (notice.decide's plan), by status and reason; {due} is
# the day the plan names.
FORECAST: dict[str, dict[str, str]] = {
    "en": {
        "pending/lead_time": "The user is told on approval; the data is provided after {due}.",
        "deferred/nondisclosure_order": "The order holds the notice: the user is told on {due}, when it ends.",
        "suppressed/nondisclosure_order": "The indefinite order forbids it: the user is never told by us.",
        "deferred/nondisclosure_requested_without_order": "Silence is asked without an order: the notice is "
                                                          "deferred and reviewed on {due}.",
        "deferred/emergency": "An emergency: the user is told once the danger is past; reviewed on {due}.",
        "suppressed/statutory_secrecy": "The law forbids it (PCSA): the user is never told by us.",
        "suppressed/agency_notifies_by_law": "The agency tells the user (PCSA art. 13-5); we never do.",
        "not_required/preservation_only": "No notice: a preservation discloses nothing.",
    },
    "ko": {
        "pending/lead_time": "승인 시 이용자에게 통지하며, 자료는 {due} 이후 제공됩니다.",
        "deferred/nondisclosure_order": "비공개 명령으로 통지가 유예되며, 명령이 끝나는 {due}에 통지합니다.",
        "suppressed/nondisclosure_order": "기한 없는 비공개 명령에 따라 당사는 이용자에게 통지하지 않습니다.",
        "deferred/nondisclosure_requested_without_order": "명령 없이 비공개가 요청되었습니다. 통지를 유예하고 "
                                                          "{due}에 재검토합니다.",
        "deferred/emergency": "긴급 요청입니다. 위험이 해소된 후 통지하며, {due}에 재검토합니다.",
        "suppressed/statutory_secrecy": "법령(통신비밀보호법)에 따라 당사는 이용자에게 통지하지 않습니다.",
        "suppressed/agency_notifies_by_law": "수사기관이 이용자에게 통지합니다(통신비밀보호법 제13조의5). "
                                             "당사는 통지하지 않습니다.",
        "not_required/preservation_only": "통지 불요: 보전은 자료를 제공하지 않습니다.",
    },
}


def forecast(status: str, reason: str, due: str, lang: str) -> str:
    said = FORECAST.get(lang, FORECAST["en"]).get(f"{status}/{reason}")
    return said.format(due=due) if said else f"{status} ({reason})"


_TIMER_PASSED = re.compile(r"^([a-z_]+) passed$")
_OPENED = re.compile(r"^(preservation|legal_process|emergency) request from (\S+) by (\w+)$")
_REJECTED = re.compile(r"^([a-z_]+): (.*)$", re.S)
CHANNEL_WORDS = {"en": {"email": "e-mail", "portal": "the portal", "folder": "the drop folder", "api": "the API"},
                 "ko": {"email": "이메일", "portal": "포털", "folder": "접수 폴더", "api": "API"}}


def timeline_step(action: str, lang: str) -> str:
    """A timeline step in words: a trigger, another step, or a timer that fired (`timer:<kind>`)."""
    if action.startswith("timer:"):
        kind = action.split(":", 1)[1]
        return ("기한 도래: " if lang == "ko" else "Deadline reached: ") + value_words(lang).get(kind, kind)
    return trigger_words(lang).get(action, action.replace("_", " "))


def timeline_reason(reason: str, lang: str) -> str:
    """The reasons the system itself writes into the audit log, in words; a person's own reason as written.
    The log keeps the original (it is hash-chained): only the page says it in words."""
    from ledesk.states.messages import REJECT_REASONS, reject_reason

    vw = value_words(lang)
    if found := _TIMER_PASSED.match(reason):
        kind = vw.get(found.group(1), found.group(1).replace("_", " "))
        return f"{kind} 경과" if lang == "ko" else f"{kind}: passed"
    if found := _OPENED.match(reason):
        kind, domain, channel = found.groups()
        by = CHANNEL_WORDS.get(lang, CHANNEL_WORDS["en"]).get(channel, channel)
        if lang == "ko":
            return f"{domain}의 {vw.get(kind, kind)}, {by}(으)로 접수"
        return f"{vw.get(kind, kind)} request from {domain} by {by}"
    if (found := _REJECTED.match(reason)) and found.group(1) in {r.value for r in REJECT_REASONS}:
        return f"{reject_reason(found.group(1), lang)}: {found.group(2)}"
    return reason


_NOT_PERMITTED = re.compile(r"^the (.+) does not permit it$")


def withheld_words(reason: str, lang: str) -> str:
    """Why a category is not released (states.scope's reasons), in Korean on a Korean page."""
    if lang != "ko":
        return reason
    if found := _NOT_PERMITTED.match(reason):
        ko = next((k for e, k in INSTRUMENT_WORDS.values() if e == found.group(1)), found.group(1))
        return f"{ko}(으)로는 제공할 수 없습니다"
    if reason.startswith("communication-confirmation data is provided only"):
        return ("통신사실확인자료는 지방법원의 허가를 받은 국내 검사·경찰에만 제공합니다(통신비밀보호법 제3조제1항, "
                "제13조). 외국 기관은 국제형사사법공조 절차를 거쳐야 합니다")
    return reason


def value_words(lang: str) -> dict[str, str]:
    if lang == "ko":
        return VALUE_WORDS_KO
    return {k: VALUE_WORDS_EN.get(k, k.replace("_", " ")) for k in VALUE_WORDS_KO}
