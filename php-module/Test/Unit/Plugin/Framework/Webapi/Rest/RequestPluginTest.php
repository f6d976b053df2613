<?php

declare(strict_types=1);

namespace MagentoIr\IncidentResponse\Test\Unit\Plugin\Framework\Webapi\Rest;

use Magento\Framework\Webapi\Exception as WebapiException;
use Magento\Framework\Webapi\Rest\Request;
use MagentoIr\IncidentResponse\Plugin\Framework\Webapi\Rest\RequestPlugin;
use PHPUnit\Framework\MockObject\MockObject;
use PHPUnit\Framework\TestCase;

final class RequestPluginTest extends TestCase
{
    private int $contentReads = 0;

    private function request(string $path, string $body, ?string $contentLength = null): Request&MockObject
    {
        $request = $this->getMockBuilder(Request::class)->disableOriginalConstructor()->getMock();
        $request->method('getPathInfo')->willReturn($path);
        $request->method('getHeader')->willReturnCallback(
            static fn ($name, $default = false) => $name === 'Content-Length' && $contentLength !== null
                ? $contentLength
                : $default
        );
        $request->method('getContent')->willReturnCallback(function () use ($body): string {
            $this->contentReads++;
            return $body;
        });
        return $request;
    }

    private function refusal(Request $request): WebapiException
    {
        try {
            (new RequestPlugin())->beforeGetBodyParams($request);
        } catch (WebapiException $exception) {
            return $exception;
        }
        self::fail('Expected a 413.');
    }

    public function testADeclaredOversizedBodyIsRefusedWithoutReadingIt(): void
    {
        $exception = $this->refusal($this->request(
            '/V1/incident-response/customers/force-password-reset',
            '',
            (string) (RequestPlugin::MAX_BODY_BYTES + 1)
        ));

        self::assertSame(413, $exception->getHttpCode());
        self::assertSame(
            ['bytes' => RequestPlugin::MAX_BODY_BYTES + 1, 'max' => RequestPlugin::MAX_BODY_BYTES],
            $exception->getParameters()
        );
        self::assertSame(0, $this->contentReads);
    }

    public function testAnOversizedBodyWithoutContentLengthIsRefused(): void
    {
        $body = str_repeat(' ', RequestPlugin::MAX_BODY_BYTES + 1);

        $request = $this->request('/V1/incident-response/sessions/terminate', $body);
        self::assertSame(413, $this->refusal($request)->getHttpCode());
    }

    public function testTooManyValuesAreRefusedBeforeDecoding(): void
    {
        // Two million one-digit ids fit in 4 MiB; decoded they would not.
        $body = '{"reason":"x","customerIds":[' . rtrim(str_repeat('1,', RequestPlugin::MAX_BODY_VALUES), ',') . ']}';

        $exception = $this->refusal($this->request('/V1/incident-response/customers/force-password-reset', $body));
        self::assertSame(413, $exception->getHttpCode());
        self::assertSame(RequestPlugin::MAX_BODY_VALUES + 1, $exception->getParameters()['count']);
    }

    public function testALegitimateLargeRequestPasses(): void
    {
        $ids = implode(',', range(10000000, 10099999));
        $body = '{"reason":"x","customerIds":[' . $ids . ']}';

        $request = $this->request('/V1/incident-response/customers/force-password-reset', $body);
        (new RequestPlugin())->beforeGetBodyParams($request);
        self::assertSame(1, $this->contentReads);
    }

    public function testOtherRoutesAreLeftToMagento(): void
    {
        $body = str_repeat('1,', RequestPlugin::MAX_BODY_VALUES + 10);

        (new RequestPlugin())->beforeGetBodyParams($this->request('/V1/products', $body, '99999999'));
        self::assertSame(0, $this->contentReads);
    }
}
