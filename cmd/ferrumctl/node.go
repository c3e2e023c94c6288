package main

import (
	"crypto/tls"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"
)

type serverOptions struct {
	url, user, password string
	insecure            bool
}

func (o *serverOptions) register(cmd *cobra.Command) {
	cmd.Flags().StringVar(&o.url, "url", "http://127.0.0.1:5988", "ferrumd's address")
	cmd.Flags().StringVar(&o.user, "user", "admin", "user name")
	cmd.Flags().StringVar(&o.password, "password", "", "password (default: $FERRUM_PASSWORD)")
	cmd.Flags().BoolVar(&o.insecure, "insecure", false, "accept any TLS certificate (ferrumd's self-signed one)")
}

func newNodeCommand() *cobra.Command {
	cmd := &cobra.Command{Use: "node", Short: "Enrol hosts running ferrum-agent"}
	opts := &serverOptions{}
	token := &cobra.Command{
		Use:   "token",
		Short: "Issue a one-time join token for a new ferrum-agent (admin role; ferrumd with FERRUM_BACKEND=agents)",
		Args:  cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			tok, err := joinToken(opts)
			if err != nil {
				return err
			}
			fmt.Fprintln(c.OutOrStdout(), tok)
			return nil
		},
	}
	opts.register(token)
	cmd.AddCommand(token)
	return cmd
}

// joinToken asks ferrumd for a join token.
func joinToken(o *serverOptions) (string, error) {
	if o.password == "" {
		o.password = os.Getenv("FERRUM_PASSWORD")
	}
	req, err := http.NewRequest(http.MethodPost, strings.TrimSuffix(o.url, "/")+"/admin/join-token", nil)
	if err != nil {
		return "", fmt.Errorf("--url %q: %w", o.url, err)
	}
	req.SetBasicAuth(o.user, o.password)
	client := &http.Client{Timeout: 30 * time.Second}
	if o.insecure {
		client.Transport = &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}} //nolint:gosec // asked for by --insecure
	}
	resp, err := client.Do(req)
	if err != nil {
		return "", fmt.Errorf("reach ferrumd at %s: %w", o.url, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	switch resp.StatusCode {
	case http.StatusOK:
	case http.StatusUnauthorized:
		return "", fmt.Errorf("ferrumd refused the credentials of %q: check --user and --password (or $FERRUM_PASSWORD)", o.user)
	default:
		return "", fmt.Errorf("ferrumd answered %s: %s", resp.Status, strings.TrimSpace(string(body)))
	}
	var out struct{ Token string }
	if err := json.Unmarshal(body, &out); err != nil || out.Token == "" {
		return "", fmt.Errorf("ferrumd sent no token: %s", body)
	}
	return out.Token, nil
}
