"""The web UI's words in English and Korean; the page language comes from ?lang= or the `lang` cookie."""

from __future__ import annotations

WORDS: dict[str, dict[str, str]] = {
    "en": {
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
        "bad_token": "That token is unknown or revoked.", "done": "Done", "refused": "Refused",
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
    },
    "ko": {
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
        "bad_token": "알 수 없거나 폐기된 토큰입니다.", "done": "완료", "refused": "거부됨",
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
    },
}


def words(lang: str) -> dict[str, str]:
    return WORDS.get(lang, WORDS["en"])
