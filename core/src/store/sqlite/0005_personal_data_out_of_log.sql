-- Erasure (right to deletion): a resident's personal data lives only in its row.
-- `erased_at` marks a resident whose name, phone, ID number and address were erased.
ALTER TABLE residents ADD COLUMN erased_at TEXT;

-- Events written before this version carried residents' personal data in their command and
-- after-image; withhold it as the Hub now does for every new event (rules::audit). The
-- resident registered or updated is the only record such an event wrote.
UPDATE events SET payload = json_set(payload,
        '$.command.name', '',
        '$.command.phone', json('null'),
        '$.command.id_number', json('null'),
        '$.command.address', json('null'),
        '$.changes[0].record.name', '',
        '$.changes[0].record.phone', json('null'),
        '$.changes[0].record.id_number', json('null'),
        '$.changes[0].record.address', json('null'),
        '$.changes[0].record.masked', json('true'))
    WHERE kind IN ('resident_registered', 'resident_updated');
