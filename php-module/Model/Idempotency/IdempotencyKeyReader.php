<?php

declare(strict_types=1);

namespace MagentoIr\IncidentResponse\Model\Idempotency;

use Magento\Framework\App\RequestInterface;
use Magento\Framework\Exception\InputException;
use Magento\Framework\HTTP\PhpEnvironment\Request as HttpRequest;
use Magento\Framework\Phrase;

/**
 * Reads and validates the X-Idempotency-Key header of the current web API request.
 */
final class IdempotencyKeyReader
{
    public const HEADER = 'X-Idempotency-Key';
    private const PATTERN = '/^[A-Za-z0-9._:-]{1,128}$/';

    public function __construct(private readonly RequestInterface $request)
    {
    }

    /**
     * The key, or null when the request carries none.
     *
     * @throws InputException when the header is present but malformed
     */
    public function read(): ?string
    {
        if (!$this->request instanceof HttpRequest) {
            return null;
        }
        $value = $this->request->getHeader(self::HEADER);
        if ($value === false || $value === null || $value === '') {
            return null;
        }
        $key = (string) $value;
        if (preg_match(self::PATTERN, $key) !== 1) {
            throw new InputException(new Phrase(
                'Invalid value of "%value" provided for the %fieldName field.',
                ['value' => $key, 'fieldName' => self::HEADER]
            ));
        }
        return $key;
    }
}
