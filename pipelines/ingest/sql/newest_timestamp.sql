-- The newest timestamp a register file holds (received, answered, resolved, review requested).
select max(greatest(received_at, first_response_at, resolved_at, review_requested_at))
from file_rows
