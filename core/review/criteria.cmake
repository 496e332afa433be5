# LLM-assisted curation: criteria, assessment requests and answers, local assessors, decisions.
target_sources(core PRIVATE
  review/criteria.h review/criteria.cpp
  review/assessment.h review/assessment.cpp
  review/localassessors.h review/localassessors.cpp
  review/decision.h review/decision.cpp
)
