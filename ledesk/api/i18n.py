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
    },
}


def words(lang: str) -> dict[str, str]:
    return WORDS.get(lang, WORDS["en"])
