<?php

declare(strict_types=1);

namespace MagentoIr\IncidentResponse\Plugin\Framework\Webapi\Rest;

use Magento\Framework\Phrase;
use Magento\Framework\Webapi\Exception as WebapiException;
use Magento\Framework\Webapi\Rest\Request;

/**
 * Refuses an oversized body to our routes before Magento decodes it.
 *
 * Magento turns the whole JSON body into PHP arrays (twice: decoding, then ServiceInputProcessor) before a
 * service sees it, so per-list limits checked in the service come too late: two million ids cost 68 MB first.
 * Runs after authentication and ACL (InputParamsResolver reads the body after RequestValidator).
 */
final class RequestPlugin
{
    /** Bytes: holds every legitimate request (100,000 ids of 8 digits in each of four lists). */
    public const MAX_BODY_BYTES = 4194304;
    /** Values in the body, bounded by its commas + 1: the sum of the routes' list limits, and some. */
    public const MAX_BODY_VALUES = 250000;
    private const ROUTES = '#/V1/incident-response/#';

    /**
     * @throws WebapiException 413 when the body is too large for any of our routes
     */
    public function beforeGetBodyParams(Request $subject): void
    {
        if (preg_match(self::ROUTES, (string) $subject->getPathInfo()) !== 1) {
            return;
        }
        // The declared length is checked before the body is read at all.
        $declared = $subject->getHeader('Content-Length');
        if (is_string($declared) && ctype_digit($declared) && (int) $declared > self::MAX_BODY_BYTES) {
            throw $this->tooLarge((int) $declared);
        }
        $content = (string) $subject->getContent();
        if (strlen($content) > self::MAX_BODY_BYTES) {
            throw $this->tooLarge(strlen($content));
        }
        $values = substr_count($content, ',') + 1;
        if ($values > self::MAX_BODY_VALUES) {
            throw new WebapiException(new Phrase(
                'The request body holds up to %count values; the incident-response routes accept at most %max.'
                . ' Split the lists over several calls.',
                ['count' => $values, 'max' => self::MAX_BODY_VALUES]
            ), 0, 413);
        }
    }

    private function tooLarge(int $bytes): WebapiException
    {
        return new WebapiException(new Phrase(
            'The request body is %bytes bytes; the incident-response routes accept at most %max.'
            . ' Split the lists over several calls.',
            ['bytes' => $bytes, 'max' => self::MAX_BODY_BYTES]
        ), 0, 413);
    }
}
